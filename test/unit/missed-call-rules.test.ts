import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { missedCallReplyTime } from '../../domain/quiet-hours';
import { checkReply, segmentsOf } from '../../domain/reply-check';
import { NOTES, type TemplateContext } from '../../domain/sms-templates';
import type { LeadState, MissedCall } from '../../workflows/lead/definitions';
import { initialState } from '../../workflows/lead/initial-state';
import { planNext } from '../../workflows/lead/plan';

const NY = 'America/New_York';
const at = (local: string) => DateTime.fromISO(local, { zone: NY }).toJSDate();
const iso = (d: Date) => d.toISOString();

const context = (businessName: string): TemplateContext => ({
  businessName,
  botName: 'Ava',
  contactPhone: null,
  contactEmail: null,
});

describe('the missed-call text', () => {
  it('says sorry, names the bot and the business, and the way out, as a first message must', () => {
    const text = NOTES.missed_call(context('Rivera Plumbing'));
    expect(text).toBe(
      'Sorry we missed your call — how can we help? This is Ava from Rivera Plumbing. Reply STOP to opt out.',
    );
    const facts = { businessName: 'Rivera Plumbing', botName: 'Ava', hours: '', services: [] };
    expect(checkReply(text, { facts, offeredSlots: [], isFirstMessage: true })).toEqual({ ok: true });
  });

  it('stays within two segments for a long business name, dropping to plain GSM-7 punctuation', () => {
    const long = 'Rivera Plumbing, Heating & Air Conditioning of Greater Brooklyn and Queens LLC';
    const text = NOTES.missed_call(context(long));
    expect(segmentsOf(text)).toBeLessThanOrEqual(2);
    expect(text).toContain('Sorry we missed your call - how can we help?');
    expect(text).toContain(long);
  });
});

describe('when a missed call is texted back', () => {
  it('at once during the day, whatever the night setting', () => {
    const noon = at('2031-03-04T12:00');
    expect(missedCallReplyTime(noon, NY, { replyAtNight: false })).toEqual(noon);
    expect(missedCallReplyTime(noon, NY, { replyAtNight: true })).toEqual(noon);
  });

  it('a call at 23:00 waits for 08:00, unless the business allows night replies', () => {
    const late = at('2031-03-04T23:00');
    expect(missedCallReplyTime(late, NY, { replyAtNight: false })).toEqual(at('2031-03-05T08:00'));
    expect(missedCallReplyTime(late, NY, { replyAtNight: true })).toEqual(late);
  });
});

describe('planNext with a missed call', () => {
  const call = (when: Date, replyAtNight = false): MissedCall => ({
    leadId: '00000000-0000-4000-8000-000000000001',
    callSid: 'CA00000000000000000000000000000001',
    at: iso(when),
    replyAtNight,
  });
  const lead = (when: Date, overrides: Partial<LeadState> = {}): LeadState => ({
    ...initialState({
      leadId: '00000000-0000-4000-8000-000000000001',
      businessId: '00000000-0000-4000-8000-000000000002',
      lead: { name: '', phone: '+12125550100', source: 'missed_call' },
      capturedAt: iso(when),
    }),
    recorded: true,
    timeZone: NY,
    cadenceMinutes: [60, 1440],
    ...overrides,
  });

  it('answers a new caller with the missed-call text instead of a first reply', () => {
    const now = at('2031-03-04T10:00');
    expect(planNext(lead(now, { missedCall: call(now) }), now.getTime())).toEqual({
      kind: 'missed_call_reply',
      at: iso(now),
    });
  });

  it('holds it until 08:00 at night, or not, as the call says', () => {
    const late = at('2031-03-04T23:00');
    expect(planNext(lead(late, { missedCall: call(late) }), late.getTime())).toEqual({
      kind: 'missed_call_reply',
      at: iso(at('2031-03-05T08:00')),
    });
    expect(planNext(lead(late, { missedCall: call(late, true) }), late.getTime())).toEqual({
      kind: 'missed_call_reply',
      at: iso(late),
    });
  });

  it('texts a lead a person is handling, but not one who opted out', () => {
    const now = at('2031-03-04T10:00');
    const handled = lead(now, { missedCall: call(now), aiPaused: true, firstReplyAt: iso(now), status: 'handed_off' });
    expect(planNext(handled, now.getTime())?.kind).toBe('missed_call_reply');
    const optedOut = lead(now, { missedCall: call(now), optedOut: true, firstReplyAt: iso(now) });
    expect(planNext(optedOut, now.getTime())?.kind).toBe('retention_delete');
  });
});
