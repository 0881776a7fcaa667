import { missedCallReplyTime, nextSendTime } from '../../domain/quiet-hours';
import type { LeadState, NextAction } from './definitions';
import { afterJobCandidates } from './after-job';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** How long after an appointment ends before it is settled as completed or no-show. */
export const SETTLE_AFTER_MS = 2 * HOUR;
/** A lead waiting for a sender number tries again this often, in case the signal that one was set never came. */
export const SENDER_RECHECK_MS = 6 * HOUR;

const at = (ms: number): string => new Date(ms).toISOString();

/** Automated texts wait for the lead's window; `null` when the window opens too late to matter. */
function inWindow(ms: number, state: LeadState, notAfter?: number): number | null {
  const send = nextSendTime(new Date(ms), state.timeZone).getTime();
  return notAfter !== undefined && send >= notAfter ? null : send;
}

/**
 * What the lead workflow does next, and when: a pure function of its state, so the
 * workflow, its query and its tests agree. Earliest action wins.
 */
export function planNext(state: LeadState, now: number): NextAction | null {
  if (state.status === 'retention_deleted' || state.erased) return null;
  const candidates: Array<{ kind: NextAction['kind']; ms: number }> = [];
  const sending = !state.optedOut && !state.restricted && state.status !== 'failed';
  const automated = sending && !state.aiPaused;
  // Texts held for a sender number wait for the signal that one is set, or the next re-check.
  const earliest = state.waitingForSender ? Math.max(now, Date.parse(state.waitingForSender) + SENDER_RECHECK_MS) : now;

  // A fixed text, not the AI's: it goes to a lead a person is handling too. It is the first reply of a new lead.
  const missed = state.missedCall;
  if (sending && state.automationActive && missed) {
    const due = missedCallReplyTime(new Date(missed.at), state.timeZone, { replyAtNight: missed.replyAtNight });
    candidates.push({ kind: 'missed_call_reply', ms: Math.max(earliest, due.getTime()) });
  }

  if (automated && state.automationActive) {
    if (!state.firstReplyAt) {
      // A new lead who called first is answered by the missed-call text above.
      const ms = missed ? null : inWindow(Math.max(earliest, Date.parse(state.capturedAt)), state);
      if (ms !== null) candidates.push({ kind: 'first_reply', ms });
    } else if (
      !state.leadReplied &&
      !state.objected &&
      !state.booking &&
      state.status !== 'closed' &&
      state.followUpsSent < state.cadenceMinutes.length
    ) {
      const due = Date.parse(state.firstReplyAt) + state.cadenceMinutes[state.followUpsSent]! * MINUTE;
      const ms = inWindow(Math.max(earliest, due), state);
      if (ms !== null) candidates.push({ kind: 'follow_up', ms });
    }
  }

  if (state.booking) {
    const start = Date.parse(state.booking.start);
    if (sending && state.automationActive) {
      for (const [label, before] of [
        ['24h', DAY],
        ['2h', 2 * HOUR],
      ] as const) {
        if (state.booking.remindersSent.includes(label) || now >= start) continue;
        // Booked at short notice: a reminder that was due before the booking is pointless.
        if (start - before < Date.parse(state.booking.bookedAt)) continue;
        const ms = inWindow(Math.max(earliest, start - before), state, start);
        if (ms !== null) candidates.push({ kind: label === '24h' ? 'reminder_24h' : 'reminder_2h', ms });
      }
    }
    candidates.push({ kind: 'settle_appointment', ms: Date.parse(state.booking.end) + SETTLE_AFTER_MS });
  }

  // After the job: the invoice, its reminders and thanks, the review request (workflows/lead/after-job.ts).
  candidates.push(
    ...afterJobCandidates(state, {
      now,
      sending: sending && state.automationActive,
      automated: automated && state.automationActive,
      inWindow: (ms) => inWindow(ms, state),
      earliest,
    }),
  );

  const retentionAt = Date.parse(state.lastActivityAt) + state.messagingRetentionDays * DAY;
  if (!state.legalHold) candidates.push({ kind: 'retention_delete', ms: retentionAt });

  candidates.sort((a, b) => a.ms - b.ms);
  const first = candidates[0];
  return first ? { kind: first.kind, at: at(first.ms) } : { kind: 'await_legal_hold_release', at: null };
}

/** Why a lead is waiting on something other than a timer, for operators and the API. */
export function waitingFor(state: LeadState): 'subscription' | 'sender_number' | 'legal_hold_release' | null {
  if (!state.automationActive && !state.optedOut && !state.restricted && !state.firstReplyAt) return 'subscription';
  if (state.waitingForSender && !state.optedOut && !state.restricted && state.status !== 'retention_deleted')
    return 'sender_number';
  if (state.legalHold && state.status !== 'retention_deleted') return 'legal_hold_release';
  return null;
}
