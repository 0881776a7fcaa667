import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type WorkflowClient } from '@temporalio/client';
import { storeAlertRow } from '../../db/alerts';
import type { Tx } from '../../db/tenant';
import { TASK_QUEUES } from '../../temporal.config';
import type { alertWorkflow } from '../../workflows/alerts/alert-workflow';
import { alertWorkflowEventId, alertWorkflowId, type AlertWorkflowInput } from '../../workflows/alerts/definitions';
import { ALERT_REASONS } from '../alerts/alert-kinds';

const KIND = 'appointment_unassigned' as const;

/** One alert per appointment and removal: the key of its event, its stored row and its workflow. */
const eventKey = (technicianId: string, appointmentId: string) => `technician-removed-${technicianId}-${appointmentId}`;

/**
 * The alert for one appointment nobody could take over: its time and service, and the lead's
 * id to open it from; never the lead's name or number. Stored with the removal (the app
 * inbox and its live event) under the event id its alert workflow raises it with, so that
 * workflow finds it instead of storing a second one.
 */
export async function storeUnassignedAlert(
  tx: Tx,
  input: {
    businessId: string;
    technicianId: string;
    appointment: { id: string; leadId: string; startsAt: Date; serviceId: string | null };
    serviceName: string | null;
  },
): Promise<UnassignedAlert> {
  const { appointment } = input;
  const key = eventKey(input.technicianId, appointment.id);
  const detail = {
    appointmentId: appointment.id,
    startsAt: appointment.startsAt.toISOString(),
    serviceId: appointment.serviceId,
    serviceName: input.serviceName,
  };
  await storeAlertRow(tx, {
    businessId: input.businessId,
    eventId: alertWorkflowEventId(key),
    kind: KIND,
    reason: ALERT_REASONS[KIND],
    leadId: appointment.leadId,
    detail,
  });
  return {
    workflowId: alertWorkflowId(key),
    alert: { businessId: input.businessId, kind: KIND, leadId: appointment.leadId, detail },
  };
}

export interface UnassignedAlert {
  workflowId: string;
  alert: AlertWorkflowInput;
}

export interface StartAlertDeps {
  temporal: { workflow: Pick<WorkflowClient, 'start'> };
  /** The lead queue of this process: alerts are as urgent as a lead's steps. */
  taskQueue?: string;
}

/**
 * Sends the stored alerts on every channel the business turned on (SMS, email, webhooks)
 * through one alert workflow each. The workflow's id is the alert's own and a closed run is
 * never started again under it, so a retried caller sends nothing twice (each channel's
 * delivery row would stop a second send anyway).
 */
export async function startUnassignedAlerts(deps: StartAlertDeps, alerts: UnassignedAlert[]): Promise<void> {
  for (const { workflowId, alert } of alerts) {
    try {
      await deps.temporal.workflow.start<typeof alertWorkflow>('alertWorkflow', {
        workflowId,
        taskQueue: deps.taskQueue ?? TASK_QUEUES.leads,
        args: [alert],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
}
