import type { RaiseAlert } from './raise-alert';

/** The event id an alert is stored and delivered under: the raising workflow's id and its step. */
export const alertEventId = (workflowId: string, step: string) => `${workflowId}:alert:${step}`;

/** An alert raised from outside any workflow (an API request's event): the alert workflow's input. */
export type AlertWorkflowInput = Omit<RaiseAlert, 'step'>;

/** The alert workflow's one step: raiseAlert keys the alert by the workflow id + this step. */
export const ALERT_WORKFLOW_STEP = 'raise';

/** One workflow per event: its id comes from the event's own key, so a retried starter starts nothing new. */
export const alertWorkflowId = (eventKey: string) => `alert-${eventKey}`;

/**
 * The event id of the alert that workflow raises (what raiseAlert stores it under): a caller
 * that stores the inbox row first, under this id, has it found, not stored twice.
 */
export const alertWorkflowEventId = (eventKey: string) => alertEventId(alertWorkflowId(eventKey), ALERT_WORKFLOW_STEP);
