import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { notFound } from '../app-error';
import { recordAudit, type Actor } from '../audit-log';

/** Deletes the endpoint and its delivery log; deliveries still retrying stop at their next attempt. */
export async function deleteWebhookEndpoint(deps: { db: Db }, opts: { actor: Actor; endpointId: string }) {
  await withTenant(deps.db, opts.actor.businessId, async (tx) => {
    const { count } = await tx.webhookEndpoint.deleteMany({ where: { id: opts.endpointId } });
    if (count === 0) throw notFound('webhook endpoint');
    await recordAudit(tx, opts.actor, { action: 'delete', entity: 'webhook_endpoint', entityId: opts.endpointId });
  });
}
