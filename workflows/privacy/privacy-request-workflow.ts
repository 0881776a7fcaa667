import {
  condition,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  type SignalDefinition,
} from '@temporalio/workflow';
import type { PrivacyActivities } from '../../activities/types';
import { raiseAlert } from '../alerts/raise-alert';
import { eraseSignal, leadWorkflowId, processingLimitsSignal } from '../lead/definitions';
import {
  DAY_MS,
  holdReleasedSignal,
  privacyRequestStateQuery,
  REMINDER_DAYS_LEFT,
  resendCodeSignal,
  verificationSignal,
  type PrivacyRequestInput,
  type PrivacyRequestState,
  type PrivacyRequestStatus,
} from './definitions';

const persistence = proxyActivities<PrivacyActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

const texting = proxyActivities<PrivacyActivities>({
  startToCloseTimeout: '45 seconds',
  // A code the person sees: a carrier that keeps failing must not turn into a burst of codes.
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', backoffCoefficient: 2, maximumAttempts: 6 },
});

const waiting = proxyActivities<PrivacyActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

const HOUR_MS = 60 * 60_000;
/** Codes a request may send in all: the first and a few fresh ones for expired codes. */
const MAX_CODES = 5;

/**
 * One data-subject request, from receipt to completion: waits for the person to be
 * verified, reminds the business as the 30-day due date nears and escalates once it has
 * passed, then performs the request. Holds no personal data in its history.
 */
export async function privacyRequestWorkflow(input: PrivacyRequestInput): Promise<PrivacyRequestState> {
  const { requestId, businessId, subjectId } = input;
  const ids = { requestId, businessId, subjectId };
  const state: PrivacyRequestState = {
    status: input.verified ? 'verified' : 'awaiting_verification',
    waitingFor: input.verified ? null : 'verification',
    codesSent: 0,
    reminders: [],
    escalated: false,
  };
  let verification: 'verified' | 'locked' | null = input.verified ? 'verified' : null;
  let resendWanted = false;
  let holdRecheck = false;

  setHandler(privacyRequestStateQuery, () => state);
  setHandler(verificationSignal, ({ outcome }) => {
    verification ??= outcome;
  });
  setHandler(resendCodeSignal, () => {
    resendWanted = true;
  });
  setHandler(holdReleasedSignal, () => {
    holdRecheck = true;
  });

  const due = Date.parse(input.dueAt);
  const deadlines = [
    ...REMINDER_DAYS_LEFT.map((days) => ({ kind: `${days}d` as '7d' | '3d', at: due - days * DAY_MS })),
    { kind: 'escalation' as const, at: due },
  ].filter((d) => d.at > Date.parse(input.receivedAt));

  /**
   * Waits until `done()` (or `maxMs`), keeping the due date: each reminder and the
   * escalation is recorded when its time comes, whatever the request waits for.
   */
  async function waitFor(done: () => boolean, maxMs?: number): Promise<void> {
    const until = maxMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + maxMs;
    for (;;) {
      if (done() || Date.now() >= until) return;
      const next = state.status === 'completed' ? undefined : deadlines[0];
      const wakeAt = Math.min(next?.at ?? Number.POSITIVE_INFINITY, until);
      if (wakeAt === Number.POSITIVE_INFINITY) {
        await condition(done);
        return;
      }
      const delay = wakeAt - Date.now();
      if (delay > 0 && (await condition(done, delay))) return;
      if (next && Date.now() >= next.at) {
        deadlines.shift();
        await persistence.recordPrivacyDeadline({ ...ids, kind: next.kind, at: new Date(Date.now()).toISOString() });
        await raiseAlert({
          businessId,
          leadId: subjectId,
          privacyRequestId: requestId,
          step: `deadline-${next.kind}`,
          kind:
            next.kind === 'escalation' ? 'privacy_overdue' : next.kind === '7d' ? 'privacy_due_7d' : 'privacy_due_3d',
          detail: { dueAt: input.dueAt },
        });
        if (next.kind === 'escalation') state.escalated = true;
        else state.reminders.push(next.kind);
      }
    }
  }

  async function setStatus(status: PrivacyRequestStatus, waitingFor: PrivacyRequestState['waitingFor']) {
    state.waitingFor = waitingFor;
    if (state.status === status) return;
    state.status = status;
    await persistence.markPrivacyRequest({ ...ids, status });
  }

  async function sendCode() {
    if (state.codesSent >= MAX_CODES) return;
    state.codesSent += 1;
    const code = { ...ids, attempt: state.codesSent };
    if (input.method === 'code_to_email') await texting.sendVerificationEmail(code);
    else await texting.sendVerificationCode(code);
  }

  async function signalLead<T extends unknown[]>(signal: SignalDefinition<T>, ...args: T) {
    try {
      await getExternalWorkflowHandle(leadWorkflowId(subjectId)).signal(signal, ...args);
    } catch {
      // The lead's workflow has finished: the flags in the database still govern every send.
    }
  }

  if (!verification) {
    if (input.method === 'code_to_phone' || input.method === 'code_to_email') await sendCode();
    for (;;) {
      await waitFor(() => verification !== null || resendWanted);
      if (verification) break;
      resendWanted = false;
      await sendCode();
    }
  }
  // Read through a function: the signal handler changes it behind the compiler's back.
  const verdict = (): typeof verification => verification;
  if (verdict() === 'locked') {
    // The API recorded the rejection with the fifth wrong code.
    state.status = 'rejected';
    state.waitingFor = null;
    return state;
  }
  state.status = 'verified';
  state.waitingFor = null;

  switch (input.type) {
    case 'access':
    case 'export':
      await persistence.fulfilAccess(ids);
      break;
    case 'correction':
      await persistence.applyCorrection(ids);
      break;
    case 'restriction':
      await persistence.applyProcessingLimit({ ...ids, type: input.type });
      await signalLead(processingLimitsSignal, { restricted: true });
      break;
    case 'objection':
    case 'marketing_opt_out':
      // Both end marketing follow-ups at once; an objection also ends AI processing
      // (the send activity reads the lead's flag), an opt-out of marketing does not.
      await persistence.applyProcessingLimit({ ...ids, type: input.type });
      await signalLead(processingLimitsSignal, { objected: true });
      break;
    case 'deletion':
      await erase();
      break;
  }
  state.status = 'completed';
  state.waitingFor = null;
  return state;

  async function erase() {
    for (;;) {
      const hold = await persistence.erasureHold({ businessId, subjectId });
      if (!hold.held) {
        await signalLead(eraseSignal, { requestId });
        await waiting.awaitLeadWorkflowClosed({ subjectId });
        const erased = await persistence.eraseLead(ids);
        if (!erased.held) {
          await persistence.finishErasure({ ...ids, counts: erased.counts });
          return;
        }
      }
      // Visible in the API (waitingFor) and the query until the hold is released: the
      // release signals this workflow, and the hold is re-read hourly in case a signal was missed.
      await setStatus('waiting_legal_hold', 'legal_hold_release');
      holdRecheck = false;
      await waitFor(() => holdRecheck, input.holdPollMs ?? HOUR_MS);
      const again = await persistence.erasureHold({ businessId, subjectId });
      if (!again.held) await setStatus('verified', null);
    }
  }
}
