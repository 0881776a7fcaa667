import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { WebhookActivities } from '../../activities/webhooks/webhook-activities';
import { raiseAlert } from '../alerts/raise-alert';
import { DEFAULT_WEBHOOK_BACKOFF, type WebhookDeliveryInput } from './definitions';

const bookkeeping = proxyActivities<WebhookActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2, maximumAttempts: 20 },
});

/**
 * One event to one endpoint: attempts with exponential backoff until one is accepted or
 * the give-up time passes. Each attempt logs itself on the delivery (the activity), so the
 * business sees every failure, not only the last.
 */
export async function webhookDeliveryWorkflow(input: WebhookDeliveryInput) {
  const backoff = input.backoff ?? DEFAULT_WEBHOOK_BACKOFF;
  const { deliverWebhook } = proxyActivities<WebhookActivities>({
    // The HTTP call itself times out at 10 s; this bounds the database work around it.
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: backoff.giveUpAfterMs,
    retry: {
      initialInterval: backoff.initialIntervalMs,
      maximumInterval: backoff.maximumIntervalMs,
      backoffCoefficient: 2,
    },
  });
  const ref = { businessId: input.businessId, endpointId: input.endpointId, deliveryId: input.deliveryId };
  try {
    return await deliverWebhook(ref);
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    const reason = cause instanceof ApplicationFailure ? (cause.type ?? cause.message) : 'gave up after retries';
    const { endpointDisabled, disabledNow } = await bookkeeping.giveUpWebhookDelivery({ ...ref, reason });
    // The business must learn that its endpoint stopped receiving events (on its other channels).
    // Either this delivery's last attempt turned it off, or giving up did: once per disabling.
    if (disabledNow || reason === 'webhook_endpoint_disabled') {
      await raiseAlert({
        businessId: input.businessId,
        step: 'endpoint-disabled',
        kind: 'webhook_endpoint_disabled',
        detail: { endpointId: input.endpointId },
      });
    }
    return { status: 'failed' as const, reason, endpointDisabled };
  }
}
