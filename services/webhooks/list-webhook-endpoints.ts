import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { listWebhookEndpoints as listRows } from '../../db/webhooks';
import { webhookEndpointView } from './webhook-endpoint-view';

export async function listWebhookEndpoints(deps: { db: Db }, opts: { businessId: string }) {
  const rows = await withTenant(deps.db, opts.businessId, (tx) => listRows(tx));
  return rows.map(webhookEndpointView);
}
