import { DAY_MS } from '../../domain/time';
export interface WebhookDeliveryInput {
  businessId: string;
  endpointId: string;
  deliveryId: string;
  /** Backoff of the attempts; tests shorten it. Defaults: 30 s doubling up to 4 h, for 3 days. */
  backoff?: { initialIntervalMs: number; maximumIntervalMs: number; giveUpAfterMs: number };
}

export const DEFAULT_WEBHOOK_BACKOFF = {
  initialIntervalMs: 30_000,
  maximumIntervalMs: 4 * 60 * 60 * 1000,
  giveUpAfterMs: 3 * DAY_MS,
};

export const webhookDeliveryWorkflowId = (deliveryId: string) => `webhook-delivery-${deliveryId}`;
