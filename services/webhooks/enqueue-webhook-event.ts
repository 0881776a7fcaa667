import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { deleteExpiredWebhookDeliveries, subscribedEndpoints } from '../../db/webhooks';
import { startWebhookDelivery, type StartDeliveryDeps } from './start-webhook-delivery';
import type { WebhookEventType } from './webhook-events';
import { webhookPayload } from './webhook-payload';

export interface EnqueueWebhookDeps extends StartDeliveryDeps {
  db: Db;
  now?: () => Date;
}

export interface WebhookEventInput {
  businessId: string;
  type: WebhookEventType;
  /** Stable per event (e.g. the alert's outbox key): retries of the caller never deliver an event twice. */
  eventId: string;
  /** Ids and states; no personal data unless the event needs it. */
  data: Record<string, unknown>;
}

/**
 * Records one delivery per subscribed, enabled endpoint of the business and starts a
 * delivery workflow for each. Idempotent on (endpoint, eventId): a retried caller finds the
 * rows it wrote and starts only what is not running yet.
 */
export async function enqueueWebhookEvent(
  deps: EnqueueWebhookDeps,
  event: WebhookEventInput,
): Promise<{ deliveryIds: string[] }> {
  const at = (deps.now ?? (() => new Date()))();
  const deliveries = await withTenant(deps.db, event.businessId, async (tx) => {
    const endpoints = await subscribedEndpoints(tx, event.type);
    if (endpoints.length === 0) return [];
    // Delivery logs are kept 30 days; pruned here as well as by the retention sweep.
    await deleteExpiredWebhookDeliveries(tx, at);
    const payload = webhookPayload(event.type, at, event.data);
    await tx.webhookDelivery.createMany({
      data: endpoints.map((e) => ({
        businessId: event.businessId,
        endpointId: e.id,
        eventId: event.eventId,
        eventType: event.type,
        webhookId: webhookIdOf(event.eventId),
        payload,
      })),
      skipDuplicates: true,
    });
    return tx.webhookDelivery.findMany({
      where: { eventId: event.eventId, endpointId: { in: endpoints.map((e) => e.id) } },
      select: { id: true, endpointId: true, status: true },
    });
  });
  for (const d of deliveries) {
    if (d.status !== 'pending') continue;
    await startWebhookDelivery(deps, { businessId: event.businessId, endpointId: d.endpointId, deliveryId: d.id });
  }
  return { deliveryIds: deliveries.map((d) => d.id) };
}

/** The `webhook-id` of an event: one per event, the same on every attempt and replay. */
export const webhookIdOf = (eventId: string) => `msg_${eventId}`;
