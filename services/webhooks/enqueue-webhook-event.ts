import type { WorkflowClient } from '@temporalio/client';
import type { Db } from '../../db/prisma';
import type { WebhookEventType } from './webhook-events';

export interface EnqueueWebhookDeps {
  db: Db;
  /** A Temporal client (an activity may pass `Context.current().client`). */
  temporal: { workflow: Pick<WorkflowClient, 'start'> };
  /** The lead queue of this process; delivery workflows run on its housekeeping queue (privacyQueueFor). */
  taskQueue?: string;
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
 * Records one delivery per subscribed, enabled endpoint of the business and starts a delivery
 * workflow for each. Idempotent on (endpoint, eventId).
 */
export async function enqueueWebhookEvent(
  deps: EnqueueWebhookDeps,
  event: WebhookEventInput,
): Promise<{ deliveryIds: string[] }> {
  void deps;
  void event;
  return { deliveryIds: [] };
}
