import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { LeadState } from '../../workflows/lead/definitions';
import { initialState } from '../../workflows/lead/initial-state';
import { planNext, SENDER_RECHECK_MS, SETTLE_AFTER_MS, waitingFor } from '../../workflows/lead/plan';

const NY = 'America/New_York';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Tuesday 10:00 in New York: inside the sending window. */
const TUESDAY_10 = DateTime.fromISO('2031-03-04T10:00', { zone: NY }).toMillis();
const iso = (ms: number) => new Date(ms).toISOString();

function lead(overrides: Partial<LeadState> = {}): LeadState {
  const captured = initialState({
    leadId: '00000000-0000-4000-8000-000000000001',
    businessId: '00000000-0000-4000-8000-000000000002',
    lead: { name: 'Test Lead', phone: '+12125550100', source: 'api' },
    capturedAt: iso(TUESDAY_10),
  });
  return { ...captured, recorded: true, timeZone: NY, cadenceMinutes: [60, 1440], ...overrides };
}

const booked = (start: number, bookedAt: number, remindersSent: Array<'24h' | '2h'> = []) => ({
  appointmentId: 'a1',
  start: iso(start),
  end: iso(start + HOUR),
  remindersSent,
  bookedAt: iso(bookedAt),
  version: 1,
});

describe('planNext', () => {
  it('answers a new lead at once inside the sending window', () => {
    expect(planNext(lead(), TUESDAY_10)).toEqual({ kind: 'first_reply', at: iso(TUESDAY_10) });
  });

  it('holds a first reply captured at 23:30 until 08:00 local', () => {
    const late = DateTime.fromISO('2031-03-04T23:30', { zone: NY }).toMillis();
    const next = planNext(lead({ capturedAt: iso(late), lastActivityAt: iso(late) }), late);
    expect(next?.kind).toBe('first_reply');
    expect(DateTime.fromISO(next!.at!, { zone: NY }).toISO()).toBe('2031-03-05T08:00:00.000-05:00');
  });

  it('follows up on the cadence from the first reply, then stops at its end', () => {
    const first = lead({ status: 'contacted', firstReplyAt: iso(TUESDAY_10) });
    expect(planNext(first, TUESDAY_10 + MINUTE)).toEqual({ kind: 'follow_up', at: iso(TUESDAY_10 + HOUR) });
    const second = { ...first, followUpsSent: 1 };
    expect(planNext(second, TUESDAY_10 + HOUR)).toEqual({ kind: 'follow_up', at: iso(TUESDAY_10 + DAY) });
    const done = { ...first, followUpsSent: 2, lastActivityAt: iso(TUESDAY_10 + DAY) };
    expect(planNext(done, TUESDAY_10 + DAY)).toEqual({ kind: 'retention_delete', at: iso(TUESDAY_10 + 731 * DAY) });
  });

  it('sends no follow-up once the lead replied, objected or closed', () => {
    const base = lead({ status: 'conversing', firstReplyAt: iso(TUESDAY_10) });
    for (const changed of [{ leadReplied: true }, { objected: true }, { status: 'closed' as const }])
      expect(planNext({ ...base, ...changed }, TUESDAY_10 + MINUTE)?.kind).toBe('retention_delete');
  });

  it('plans nothing automated for an opted-out, restricted, handed-off, failed or paused lead', () => {
    for (const changed of [
      { optedOut: true },
      { restricted: true },
      { aiPaused: true },
      { status: 'failed' as const },
      { automationActive: false },
    ])
      expect(planNext(lead(changed), TUESDAY_10)).toEqual({
        kind: 'retention_delete',
        at: iso(TUESDAY_10 + 730 * DAY),
      });
  });

  it('reminds 24 h and 2 h before a booking, then settles it after the end', () => {
    const start = TUESDAY_10 + 3 * DAY;
    const state = lead({ status: 'booked', firstReplyAt: iso(TUESDAY_10), leadReplied: true });
    state.booking = booked(start, TUESDAY_10);
    expect(planNext(state, TUESDAY_10 + MINUTE)).toEqual({ kind: 'reminder_24h', at: iso(start - DAY) });
    state.booking.remindersSent = ['24h'];
    expect(planNext(state, start - DAY)).toEqual({ kind: 'reminder_2h', at: iso(start - 2 * HOUR) });
    state.booking.remindersSent = ['24h', '2h'];
    expect(planNext(state, start - 2 * HOUR)).toEqual({
      kind: 'settle_appointment',
      at: iso(start + HOUR + SETTLE_AFTER_MS),
    });
  });

  it('skips a reminder that was already due when the visit was booked', () => {
    const start = TUESDAY_10 + 5 * HOUR;
    const state = lead({ status: 'booked', firstReplyAt: iso(TUESDAY_10), leadReplied: true });
    state.booking = booked(start, TUESDAY_10);
    expect(planNext(state, TUESDAY_10 + MINUTE)).toEqual({ kind: 'reminder_2h', at: iso(start - 2 * HOUR) });
  });

  it('keeps an opted-out lead’s appointment to settle, without reminders', () => {
    const start = TUESDAY_10 + 3 * DAY;
    const state = lead({ status: 'opted_out', optedOut: true, firstReplyAt: iso(TUESDAY_10) });
    state.booking = booked(start, TUESDAY_10);
    expect(planNext(state, TUESDAY_10 + MINUTE)?.kind).toBe('settle_appointment');
  });

  it('deletes 24 months after the last activity, never under a legal hold', () => {
    const quiet = lead({ status: 'conversing', firstReplyAt: iso(TUESDAY_10), leadReplied: true });
    expect(planNext(quiet, TUESDAY_10 + DAY)).toEqual({ kind: 'retention_delete', at: iso(TUESDAY_10 + 730 * DAY) });
    expect(planNext({ ...quiet, legalHold: true }, TUESDAY_10 + DAY)).toEqual({
      kind: 'await_legal_hold_release',
      at: null,
    });
  });

  it('plans nothing once the messages are deleted or the lead is erased', () => {
    expect(planNext(lead({ status: 'retention_deleted' }), TUESDAY_10)).toBeNull();
    expect(planNext(lead({ erased: true }), TUESDAY_10)).toBeNull();
  });

  it('retries a first reply held for a sender number at the next re-check, inside the window', () => {
    const waiting = lead({ status: 'new', waitingForSender: iso(TUESDAY_10) });
    expect(planNext(waiting, TUESDAY_10 + MINUTE)).toEqual({
      kind: 'first_reply',
      at: iso(TUESDAY_10 + SENDER_RECHECK_MS),
    });
    // Set at 18:00: the re-check at midnight waits for 08:00.
    const evening = DateTime.fromISO('2031-03-04T18:00', { zone: NY }).toMillis();
    const next = planNext(lead({ waitingForSender: iso(evening) }), evening);
    expect(DateTime.fromISO(next!.at!, { zone: NY }).toISO()).toBe('2031-03-05T08:00:00.000-05:00');
    // The signal clears it: due now again.
    expect(planNext({ ...waiting, waitingForSender: null }, TUESDAY_10 + MINUTE)).toEqual({
      kind: 'first_reply',
      at: iso(TUESDAY_10 + MINUTE),
    });
  });
});

describe('waitingFor', () => {
  it('names the subscription while an inactive account holds the first reply', () => {
    expect(waitingFor(lead({ automationActive: false }))).toBe('subscription');
    expect(waitingFor(lead({ automationActive: false, firstReplyAt: iso(TUESDAY_10) }))).toBeNull();
  });

  it('names the sender number while the business has none', () => {
    expect(waitingFor(lead({ waitingForSender: iso(TUESDAY_10) }))).toBe('sender_number');
    expect(waitingFor(lead({ waitingForSender: iso(TUESDAY_10), optedOut: true }))).toBeNull();
    expect(waitingFor(lead({ waitingForSender: null }))).toBeNull();
  });

  it('names the legal hold until the messages are gone', () => {
    expect(waitingFor(lead({ legalHold: true, firstReplyAt: iso(TUESDAY_10) }))).toBe('legal_hold_release');
    expect(waitingFor(lead({ legalHold: true, status: 'retention_deleted' }))).toBeNull();
  });

  it('is null for a lead that only waits for time', () => {
    expect(waitingFor(lead({ status: 'contacted', firstReplyAt: iso(TUESDAY_10) }))).toBeNull();
  });
});
