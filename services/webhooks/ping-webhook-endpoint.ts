import { randomUUID } from 'node:crypto';
import { withTenant } from '../../db/tenant';
import { findWebhookEndpoint } from '../../db/webhooks';
import { AppError, notFound } from '../app-error';
import { recordAudit, type Actor } from '../audit-log';
import { webhookIdOf } from './enqueue-webhook-event';
import { startWebhookDelivery } from './start-webhook-delivery';
import { webhookDeliveryView } from './webhook-endpoint-view';
import { webhookPayload } from './webhook-payload';
import type { WebhookServiceDeps } from './webhook-service-deps';

/** A `webhook.ping` to this one endpoint, delivered (and logged) like any event. */
export async function pingWebhookEndpoint(
  deps: Pick<WebhookServiceDeps, 'db' | 'temporal' | 'taskQueue' | 'backoff' | 'now'>,
  opts: { actor: Actor; endpointId: string },
) {
  const at = (deps.now ?? (() => new Date()))();
  const eventId = `ping_${randomUUID()}`;
  const row = await withTenant(deps.db, opts.actor.businessId, async (tx) => {
    const endpoint = await findWebhookEndpoint(tx, opts.endpointId);
    if (!endpoint) throw notFound('webhook endpoint');
    if (endpoint.disabledAt)
      throw new AppError('conflict', 'the endpoint is disabled: create it again to resume deliveries');
    const created = await tx.webhookDelivery.create({
      data: {
        businessId: opts.actor.businessId,
        endpointId: endpoint.id,
        eventId,
        eventType: 'webhook.ping',
        webhookId: webhookIdOf(eventId),
        payload: webhookPayload('webhook.ping', at, { endpointId: endpoint.id }),
      },
    });
    await recordAudit(tx, opts.actor, { action: 'message', entity: 'webhook_delivery', entityId: created.id });
    return created;
  });
  await startWebhookDelivery(deps, {
    businessId: opts.actor.businessId,
    endpointId: opts.endpointId,
    deliveryId: row.id,
  });
  return webhookDeliveryView(row);
}
