import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { TASK_QUEUES } from '../../temporal.config';
import type { leadWorkflow } from '../../workflows/lead/lead-workflow';
import {
  appointmentOutcomeUpdate,
  bookSlotUpdate,
  cancelAppointmentUpdate,
  inboundSmsSignal,
  invoicePaidSignal,
  jobUpdate,
  leadStateQuery,
  handBackSignal,
  leadWorkflowId,
  legalHoldSignal,
  manualMessageUpdate,
  missedCallSignal,
  carrierRefusedSignal,
  moveAppointmentUpdate,
  optOutSignal,
  stopReviewRequestSignal,
  technicianChangedSignal,
  type AppointmentOutcome,
  type InboundSms,
  type JobUpdate,
  type MissedCall,
  type LeadState,
  type LeadWorkflowInput,
  type TechnicianChange,
} from '../../workflows/lead/definitions';
import { BUSINESS_ID, LEAD_STATUS } from '../../workflows/search-attributes';

export { leadWorkflowId };

/** The one test for "this lead has no workflow": the SDK's class, or its name once the error crossed a wrapper. */
export const isWorkflowNotFound = (err: unknown): boolean =>
  err instanceof WorkflowNotFoundError || (err as { name?: string } | null)?.name === 'WorkflowNotFoundError';

/** An update the workflow's validator or handler refused: its reason, in the workflow's words. */
export const updateRefusal = (err: unknown): string | null =>
  err instanceof WorkflowUpdateFailedError
    ? ((err.cause as Error | undefined)?.message ?? 'the lead’s workflow refused the request')
    : null;

/** The type of the failure an update's validator or handler refused with (an ApplicationFailure's type), if any. */
export const updateRefusalType = (err: unknown): string | null =>
  err instanceof WorkflowUpdateFailedError ? ((err.cause as { type?: string } | undefined)?.type ?? null) : null;

export type LeadOptOutReason = 'keyword' | 'plain_language' | 'carrier' | 'api';

export interface LeadWorkflowClientOptions {
  temporal: Client;
  /** The lead workflows' task queue; tests give each file its own. */
  taskQueue?: string;
  /** Wraps every call (the API's deadline and its 503 mapping). */
  call?: <T>(fn: () => Promise<T>) => Promise<T>;
}

/**
 * Everything a caller outside the worker does to a lead's workflow: its id, how it is
 * started, the signals, queries and updates it takes, and what "no such workflow" means
 * for each. Routes, the CLI and use cases go through this, never through raw handles.
 */
export function leadWorkflowClient({ temporal, taskQueue = TASK_QUEUES.leads, call }: LeadWorkflowClientOptions) {
  const run = call ?? (<T>(fn: () => Promise<T>) => fn());
  const handle = (leadId: string) => temporal.workflow.getHandle(leadWorkflowId(leadId));
  const common = (input: LeadWorkflowInput) => ({
    taskQueue,
    workflowId: leadWorkflowId(input.leadId),
    args: [input] as [LeadWorkflowInput],
    typedSearchAttributes: [
      { key: BUSINESS_ID, value: input.businessId },
      { key: LEAD_STATUS, value: 'new' },
    ],
    memo: { label: `Lead ${input.leadId.slice(0, 8)}` },
  });
  /** Delivered, or false when the lead has no workflow (finished and gone, or never started). */
  const signalled = async (fn: () => Promise<void>) => {
    try {
      await run(fn);
      return true;
    } catch (err) {
      if (isWorkflowNotFound(err)) return false;
      throw err;
    }
  };

  const describe = async (leadId: string) => {
    try {
      const description = await run(() => handle(leadId).describe());
      return {
        businessId: description.typedSearchAttributes.get(BUSINESS_ID) ?? null,
        running: description.status.name === 'RUNNING',
      };
    } catch (err) {
      if (isWorkflowNotFound(err)) return null;
      throw err;
    }
  };

  return {
    workflowId: leadWorkflowId,

    /** Starts the lead's workflow; a second capture of the same lead attaches to the first. */
    async start(input: LeadWorkflowInput): Promise<void> {
      await run(async () => {
        try {
          await temporal.workflow.start<typeof leadWorkflow>('leadWorkflow', {
            ...common(input),
            // Concurrent retries attach to the one running workflow; a finished one is still the same lead.
            workflowIdConflictPolicy: 'USE_EXISTING',
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
          });
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
      });
    },

    /** An inbound text for the lead: delivered to its workflow, which starts if it is not running. */
    async deliverInbound(input: LeadWorkflowInput, sms: InboundSms): Promise<void> {
      await run(() =>
        temporal.workflow.signalWithStart<typeof leadWorkflow, [InboundSms]>('leadWorkflow', {
          ...common(input),
          signal: inboundSmsSignal,
          signalArgs: [sms],
        }),
      );
    },

    /** A call the business missed: delivered to the lead's workflow, which starts if it is not running, and texts back. */
    async deliverMissedCall(input: LeadWorkflowInput, call: MissedCall): Promise<void> {
      await run(() =>
        temporal.workflow.signalWithStart<typeof leadWorkflow, [MissedCall]>('leadWorkflow', {
          ...common(input),
          signal: missedCallSignal,
          signalArgs: [call],
        }),
      );
    },

    /** The business of the lead's workflow, or null when there is none. */
    async ownerOf(leadId: string): Promise<string | null> {
      return (await describe(leadId))?.businessId ?? null;
    },

    /** The lead's workflow is running for this business: an accepted lead, whether or not its row is written yet. */
    async isRunningFor(leadId: string, businessId: string): Promise<boolean> {
      const found = await describe(leadId);
      return found?.businessId === businessId && found.running;
    },

    /** The workflow's live state; null when there is none to ask (no workflow, or Temporal unreachable). */
    async state(leadId: string): Promise<LeadState | null> {
      try {
        return await run(() => handle(leadId).query(leadStateQuery));
      } catch {
        // The lead's page still shows what Postgres has; the state is an extra.
        return null;
      }
    },

    legalHold: (leadId: string, held: boolean) => signalled(() => handle(leadId).signal(legalHoldSignal, { held })),

    optOut: (leadId: string, optOut: { at: string; reason: LeadOptOutReason }) =>
      signalled(() => handle(leadId).signal(optOutSignal, optOut)),

    /** A status callback's carrier refusal: the workflow raises the business's alert. */
    carrierRefused: (leadId: string, refusal: { messageId: string; errorCode: string }) =>
      signalled(() => handle(leadId).signal(carrierRefusedSignal, refusal)),

    /** A person hands the lead back to the AI (a lead not handed off is unchanged); false when it has no workflow. */
    handBack: (leadId: string) => signalled(() => handle(leadId).signal(handBackSignal)),

    /** Stripe's signed invoice.paid for the lead's job invoice: its reminders end, the lead is thanked. */
    invoicePaid: (leadId: string, paid: { invoiceId: string; paidAt: string }) =>
      signalled(() => handle(leadId).signal(invoicePaidSignal, paid)),

    /** The business stops the lead's review request and its reminder. */
    stopReviewRequest: (leadId: string) => signalled(() => handle(leadId).signal(stopReviewRequestSignal)),

    /** The booked visit's technician was removed: who takes it now (first name), or nobody; false when it has no workflow. */
    technicianChanged: (change: TechnicianChange) =>
      signalled(() => handle(change.leadId).signal(technicianChangedSignal, change)),

    /** A person's text to the lead, sent by the workflow (which hands the lead off from the AI). */
    sendManualMessage: (leadId: string, message: { text: string; requestId: string }) =>
      run(() => handle(leadId).executeUpdate(manualMessageUpdate, { args: [{ leadId, ...message }] })),

    /** Books a slot through the workflow, which re-checks it against the calendar at commit. */
    bookSlot: (leadId: string, slot: { start: string; serviceId?: string }) =>
      run(() => handle(leadId).executeUpdate(bookSlotUpdate, { args: [slot] })),

    /** Moves the lead's appointment; the workflow re-checks the slot and moves the reminders. */
    moveAppointment: (leadId: string, move: { start: string }) =>
      run(() => handle(leadId).executeUpdate(moveAppointmentUpdate, { args: [move] })),

    /** Cancels the lead's appointment and its pending reminders. */
    cancelAppointment: (leadId: string) =>
      run(() => handle(leadId).executeUpdate(cancelAppointmentUpdate, { args: [] })),

    /** Settles the lead's started appointment now as completed or a no-show. */
    markAppointmentOutcome: (leadId: string, outcome: AppointmentOutcome) =>
      run(() => handle(leadId).executeUpdate(appointmentOutcomeUpdate, { args: [{ outcome }] })),

    /** The technician marks the lead's job (on the way, started, finished); the workflow texts the lead. */
    updateJob: (leadId: string, update: JobUpdate) =>
      run(() => handle(leadId).executeUpdate(jobUpdate, { args: [update] })),
  };
}

export type LeadWorkflowClient = ReturnType<typeof leadWorkflowClient>;
