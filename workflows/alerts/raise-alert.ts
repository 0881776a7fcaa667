import { log, patched, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { AlertActivities } from '../../activities/types';
import type { AlertKind } from '../../services/alerts/alert-kinds';
import { alertEventId } from './definitions';

const ALERTING = {
  startToCloseTimeout: '30 seconds',
  // Each channel's delivery row makes a retry safe; the cap keeps a dead channel from
  // holding the workflow for long (the inbox row is stored first, whatever happens).
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', backoffCoefficient: 2, maximumAttempts: 10 },
} as const;
const remoteAlerting = proxyActivities<AlertActivities>(ALERTING);
// The inbox row and each channel's delivery are keyed by the event id, so a local activity
// re-run after a lost workflow task changes nothing; the store and its channels then bill
// as one action instead of one per channel ('local-steps', as in workflows/lead/steps.ts).
const localAlerting = proxyLocalActivities<AlertActivities>(ALERTING);

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
  const eventId = alertEventId(workflowInfo().workflowId, step);
  const alerting = patched('local-steps') ? localAlerting : remoteAlerting;
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
