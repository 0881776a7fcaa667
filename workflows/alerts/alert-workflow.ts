import { ALERT_WORKFLOW_STEP, type AlertWorkflowInput } from './definitions';
import { raiseAlert } from './raise-alert';

/**
 * Tells the business of an event no workflow owns (a technician's removal in the API) on
 * every channel it turned on, as raiseAlert does from the workflows: the inbox row, then
 * SMS, email and webhooks, each once.
 */
export async function alertWorkflow(alert: AlertWorkflowInput): Promise<void> {
  await raiseAlert({ ...alert, step: ALERT_WORKFLOW_STEP });
}
