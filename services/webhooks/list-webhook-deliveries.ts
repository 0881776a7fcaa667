import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { findWebhookEndpoint, listWebhookDeliveries as listRows } from '../../db/webhooks';
import { notFound } from '../app-error';
import { webhookDeliveryView } from './webhook-endpoint-view';

/** The endpoint's deliveries, newest first, with each attempt's outcome. */
export async function listWebhookDeliveries(
  deps: { db: Db },
  opts: { businessId: string; endpointId: string; limit: number; before?: Date },
) {
  const rows = await withTenant(deps.db, opts.businessId, async (tx) => {
    if (!(await findWebhookEndpoint(tx, opts.endpointId))) throw notFound('webhook endpoint');
    return listRows(tx, opts.endpointId, { limit: opts.limit, before: opts.before });
  });
  return rows.map(webhookDeliveryView);
}
