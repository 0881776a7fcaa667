import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type WorkflowClient } from '@temporalio/client';
import { privacyQueueFor } from '../../temporal.config';
import { webhookDeliveryWorkflowId, type WebhookDeliveryInput } from '../../workflows/webhooks/definitions';

export interface StartDeliveryDeps {
  temporal: { workflow: Pick<WorkflowClient, 'start'> };
  /** The lead queue of this process; deliveries run on its housekeeping queue. */
  taskQueue?: string;
  /** Shorter backoff (tests). */
  backoff?: WebhookDeliveryInput['backoff'];
}

/**
 * Starts the delivery's workflow once: its id is the delivery's and a closed run is never
 * started again under it, so a retried caller cannot send an event twice. A replay passes
 * `runKey` for a workflow of its own.
 */
export async function startWebhookDelivery(
  deps: StartDeliveryDeps,
  ref: { businessId: string; endpointId: string; deliveryId: string; runKey?: string },
): Promise<void> {
  const input: WebhookDeliveryInput = {
    businessId: ref.businessId,
    endpointId: ref.endpointId,
    deliveryId: ref.deliveryId,
    ...(deps.backoff ? { backoff: deps.backoff } : {}),
  };
  const base = webhookDeliveryWorkflowId(ref.deliveryId);
  try {
    await deps.temporal.workflow.start('webhookDeliveryWorkflow', {
      workflowId: ref.runKey ? `${base}-replay-${ref.runKey}` : base,
      taskQueue: privacyQueueFor(deps.taskQueue),
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
