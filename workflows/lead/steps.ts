import { isCancellation, patched, proxyActivities, proxyLocalActivities, TemporalFailure } from '@temporalio/workflow';
import type {
  BookingActivities,
  ClassifyActivities,
  InvoiceActivities,
  LeadEmailActivities,
  LeadPersistenceActivities,
  RecordAndFirstReplyActivities,
  SendActivities,
} from '../../activities/types';

type Persistence = LeadPersistenceActivities & BookingActivities & ClassifyActivities;

const PERSISTENCE = {
  startToCloseTimeout: '30 seconds',
  // Persistence and housekeeping retry for as long as it takes: a capture is never
  // dropped because Postgres was down for a while.
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
} as const;
const SENDING = {
  // Composition may wait on the AI (which falls back to a template on its own timeout).
  startToCloseTimeout: '45 seconds',
  // A send that keeps failing must not become a burst of texts once the carrier
  // recovers: the outbox row makes retries safe, and the cap bounds how long we try.
  retry: { initialInterval: '2 seconds', maximumInterval: '2 minutes', backoffCoefficient: 2, maximumAttempts: 12 },
} as const;
const EMAILING = {
  startToCloseTimeout: '30 seconds',
  // The email log row and the provider's Idempotency-Key make retries safe; the cap keeps a
  // provider outage from holding the step's text back for long.
  retry: { initialInterval: '2 seconds', maximumInterval: '2 minutes', backoffCoefficient: 2, maximumAttempts: 12 },
} as const;
const INVOICING = {
  startToCloseTimeout: '1 minute',
  // Every Stripe call carries an idempotency key from the step, so retries make one invoice; a
  // refusal (a bad connected account) is not retried, and the cap keeps an outage from holding the lead.
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', backoffCoefficient: 2, maximumAttempts: 10 },
} as const;

export interface Steps {
  persistence: Persistence;
  sending: SendActivities;
  emailing: LeadEmailActivities;
  invoicing: InvoiceActivities;
}

/** Task-queue activities: what runs before these markers, and the capture after them. */
export const remoteSteps: Steps = {
  persistence: proxyActivities<Persistence>(PERSISTENCE),
  sending: proxyActivities<SendActivities>(SENDING),
  emailing: proxyActivities<LeadEmailActivities>(EMAILING),
  invoicing: proxyActivities<InvoiceActivities>(INVOICING),
};

/**
 * A new lead's recording and first reply in one activity ('record-with-first-reply'), eager on
 * the task queue until 'local-capture'. Sending's policy: its recording half is an upsert, and
 * after its retries the workflow records the lead the old way, which retries for as long as it
 * takes.
 */
const remoteCapture = proxyActivities<RecordAndFirstReplyActivities>(SENDING);
const localCapture = proxyLocalActivities<RecordAndFirstReplyActivities>(SENDING);

/**
 * Since 'local-capture' that activity is a local one of the workflow's first task: the task
 * records the lead, texts it, publishes its status and starts the follow-up's timer, with no
 * task-queue activity and no second workflow task for its result (a history of about 10
 * events where it was 18). A worker lost mid-task runs it again on the next: the lead row is
 * an upsert and the text's outbox row is keyed by the step. Runs recorded before replay with
 * the (eager) task-queue activity.
 */
export function captureSteps(): RecordAndFirstReplyActivities {
  return patched('local-capture') ? localCapture : remoteCapture;
}

const localSteps: Steps = {
  persistence: proxyLocalActivities<Persistence>(PERSISTENCE),
  sending: proxyLocalActivities<SendActivities>(SENDING),
  emailing: proxyLocalActivities<LeadEmailActivities>(EMAILING),
  invoicing: proxyLocalActivities<InvoiceActivities>(INVOICING),
};

/**
 * The proxies a step after the capture uses. Temporal Cloud bills every task-queue
 * activity, but all local activities of one workflow task as one action: a finished job
 * (settle, the text, the alert and its channels, the invoice and its link) is one action
 * instead of seven. Each of these activities is idempotent by its step's key (outbox row,
 * alert event id, Stripe idempotency key), which is what a local activity re-run after a
 * lost workflow task needs. Runs recorded before this replay with task-queue activities
 * ('local-steps'). The capture became local with 'local-capture' (captureSteps), a first
 * reply the loop sends (at 08:00, or answering a lead who texted first) with
 * 'local-first-reply' (LeadConversation.send).
 */
export function steps(): Steps {
  return patched('local-steps') ? localSteps : remoteSteps;
}

/**
 * A step's activity failed for good (after its retries), as opposed to being cancelled. A
 * task-queue activity's failure arrives wrapped in an ActivityFailure; a local activity's
 * arrives as its cause (an ApplicationFailure, a TimeoutFailure), so both are taken.
 */
export function failedForGood(err: unknown): boolean {
  return err instanceof TemporalFailure && !isCancellation(err);
}
