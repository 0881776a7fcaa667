import { log, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { AlertActivities } from '../../activities/types';
import type { AlertKind } from '../../services/alerts/alert-kinds';

const alerting = proxyActivities<AlertActivities>({
  startToCloseTimeout: '30 seconds',
  // Each channel's delivery row makes a retry safe; the cap keeps a dead channel from
  // holding the workflow for long (the inbox row is stored first, whatever happens).
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', backoffCoefficient: 2, maximumAttempts: 10 },
});

export interface RaiseAlert {
  businessId: string;
  /** This workflow's step that raised it (unique within the workflow): the event id is the workflow id + step. */
  step: string;
  kind: AlertKind;
  leadId?: string | null;
  privacyRequestId?: string | null;
  detail?: Record<string, unknown>;
}

/**
 * Tells the business, from the workflow that owns the event: the app inbox first, then
 * every channel it turned on, in parallel, each exactly once (see activities/alerts).
 * A channel that fails for good does not fail the workflow. Runs recorded before alerts
 * existed replay without them ('alerts-v1').
 */
export async function raiseAlert(alert: RaiseAlert): Promise<void> {
  if (!patched('alerts-v1')) return;
  const { step, ...rest } = alert;
  const eventId = `${workflowInfo().workflowId}:alert:${step}`;
  try {
    const { channels } = await alerting.storeAlert({ ...rest, eventId });
    const ids = { businessId: alert.businessId, eventId };
    await Promise.allSettled(
      channels.map((channel) =>
        channel === 'sms'
          ? alerting.sendAlertSms(ids)
          : channel === 'email'
            ? alerting.sendAlertEmail(ids)
            : alerting.enqueueAlertWebhook(ids),
      ),
    );
  } catch (err) {
    log.warn('alert not raised', { kind: alert.kind, error: (err as Error)?.message });
  }
}
