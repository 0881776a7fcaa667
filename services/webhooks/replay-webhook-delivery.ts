import { randomUUID } from 'node:crypto';
import { withTenant } from '../../db/tenant';
import { findWebhookDelivery, findWebhookEndpoint } from '../../db/webhooks';
import { AppError, notFound } from '../app-error';
import { recordAudit, type Actor } from '../audit-log';
import { startWebhookDelivery } from './start-webhook-delivery';
import { webhookDeliveryView } from './webhook-endpoint-view';
import type { WebhookServiceDeps } from './webhook-service-deps';

/**
 * Sends a delivery again: the same body and the same `webhook-id` (receivers deduplicate
 * on it), freshly signed, with its attempts added to the same log.
 */
export async function replayWebhookDelivery(
  deps: Pick<WebhookServiceDeps, 'db' | 'temporal' | 'taskQueue' | 'backoff'>,
  opts: { actor: Actor; endpointId: string; deliveryId: string },
) {
  const row = await withTenant(deps.db, opts.actor.businessId, async (tx) => {
    const endpoint = await findWebhookEndpoint(tx, opts.endpointId);
    const delivery = endpoint && (await findWebhookDelivery(tx, endpoint.id, opts.deliveryId));
    if (!endpoint || !delivery) throw notFound('webhook delivery');
    if (endpoint.disabledAt)
      throw new AppError('conflict', 'the endpoint is disabled: create it again to resume deliveries');
    const updated = await tx.webhookDelivery.update({ where: { id: delivery.id }, data: { status: 'pending' } });
    await recordAudit(tx, opts.actor, { action: 'message', entity: 'webhook_delivery', entityId: delivery.id });
    return updated;
  });
  await startWebhookDelivery(deps, {
    businessId: opts.actor.businessId,
    endpointId: opts.endpointId,
    deliveryId: row.id,
    runKey: randomUUID(),
  });
  return webhookDeliveryView(row);
}
