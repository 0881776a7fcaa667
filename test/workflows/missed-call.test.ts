import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadWorkflowClient } from '../../services/leads/lead-workflow-client';
import { receiveMissedCall } from '../../services/leads/missed-call';
import { leadWorkflowId } from '../../workflows/lead/definitions';
import { createBusiness } from '../support/business';
import { skipTo } from '../support/clock';
import { createLeadHarness, type LeadHarness } from '../support/lead-harness';

const NY = 'America/New_York';
const TUESDAY = 2;

/**
 * Missed-call text-back on the time-skipping server, with the real activities and Postgres:
 * the Dial action's use case signals (or starts) the caller's lead, whose workflow texts back.
 */
describe('missed-call text-back', () => {
  let h: LeadHarness;
  beforeAll(async () => {
    h = await createLeadHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const callSid = () => `CA${randomUUID().replace(/-/g, '')}`;
  const count = (leadId: string) => async () => (await h.outbox(leadId)).length;

  /** The Dial action's use case, as the voice-status webhook calls it; returns when it did. */
  async function missedCall(businessId: string, from: string, sid = callSid()) {
    const at = new Date(await h.env.currentTimeMs());
    const result = await receiveMissedCall(
      {
        db: h.database.appDb,
        leads: leadWorkflowClient({ temporal: h.env.client, taskQueue: h.taskQueue }),
        leadCodec: null,
      },
      { businessId, from, callSid: sid, reason: 'no-answer', at },
    );
    return { result, at, sid };
  }

  /** Lets simulated time pass once the lead's activities are done (none may time out in skipped time). */
  async function sleep(leadId: string, duration: string) {
    const handle = h.env.client.workflow.getHandle(leadWorkflowId(leadId));
    await expect
      .poll(async () => (await handle.describe()).raw.pendingActivities?.length ?? 0, { timeout: 30_000 })
      .toBe(0);
    await h.sleep(duration);
  }

  it('texts a missed caller within 15 seconds, then the caller books by text', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const phone = '+12125550401';
    const { result, at } = await missedCall(business.id, phone);
    expect(result).toMatchObject({ outcome: 'texting', createdLead: true });
    const leadId = result.outcome === 'texting' ? result.leadId : '';

    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(1);
    const [first] = await h.outbox(leadId);
    expect(first).toMatchObject({ kind: 'first_reply', status: 'sent' });
    expect(first!.body).toBe(
      `Sorry we missed your call — how can we help? This is Ava from ${business.name}. Reply STOP to opt out.`,
    );
    const texted = await h.state(leadId);
    expect(texted.status).toBe('contacted');
    expect(Date.parse(texted.firstReplyAt!) - at.getTime()).toBeLessThanOrEqual(15_000);
    expect(await h.database.db.lead.findUniqueOrThrow({ where: { id: leadId } })).toMatchObject({
      source: 'missed_call',
      phone,
    });

    // The caller answers as any lead would: slots, a pick, a booking.
    expect(await h.text({ businessId: business.id, from: phone, body: 'Do you have anything Thursday morning?' })).toBe(
      leadId,
    );
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(2);
    const offered = await h.state(leadId);
    expect(offered.status).toBe('offered');
    expect(offered.offer?.slots).toHaveLength(3);
    await h.text({ businessId: business.id, from: phone, body: '3' });
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(3);
    const booked = await h.state(leadId);
    expect(booked.status).toBe('booked');
    expect(booked.booking?.start).toBe(offered.offer!.slots[2]!.start);
    expect(await h.database.db.appointment.findFirstOrThrow({ where: { leadId } })).toMatchObject({
      status: 'booked',
      startsAt: new Date(booked.booking!.start),
    });
    expect((await h.outbox(leadId)).map((m) => m.kind)).toEqual(['first_reply', 'reply', 'confirmation']);
  });

  it('a call missed at 23:00 waits for 08:00 when the business keeps nights quiet', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, hour: 23 });
    const { result } = await missedCall(business.id, '+12125550402');
    const leadId = result.leadId!;
    await h.settle(3000);
    expect(await h.outbox(leadId)).toHaveLength(0);
    const waiting = await h.state(leadId);
    expect(waiting.nextAction?.kind).toBe('missed_call_reply');
    expect(DateTime.fromISO(waiting.nextAction!.at!, { zone: NY }).toFormat('HH:mm')).toBe('08:00');

    await sleep(leadId, '8 hours');
    await h.settle();
    expect(await h.outbox(leadId)).toHaveLength(0);
    await h.sleep('61 minutes');
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(1);
    expect(DateTime.fromISO((await h.state(leadId)).firstReplyAt!, { zone: NY }).toFormat('HH:mm')).toBe('08:00');
    expect((await h.outbox(leadId))[0]!.body).toMatch(/^Sorry we missed your call/);
  });

  it('a call missed at 23:00 is texted back at once when the business allows night replies', async () => {
    const business = await createBusiness(h.database.db, { missedCallReplyAtNight: true });
    await skipTo(h.env, { zone: NY, hour: 23 });
    const { result, at } = await missedCall(business.id, '+12125550403');
    const leadId = result.leadId!;
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(1);
    const state = await h.state(leadId);
    expect(DateTime.fromISO(state.firstReplyAt!, { zone: NY }).hour).toBe(23);
    expect(Date.parse(state.firstReplyAt!) - at.getTime()).toBeLessThanOrEqual(15_000);
  });

  it('a lead who calls and is missed continues as the same lead', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 11 });
    const phone = '+12125550404';
    const { leadId } = await h.startLead({ businessId: business.id, lead: { phone, name: 'Dana Whitfield' } });
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(1);

    await sleep(leadId, '5 minutes');
    const { result, sid } = await missedCall(business.id, phone);
    expect(result).toMatchObject({ outcome: 'texting', leadId, createdLead: false });
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(2);
    const texts = await h.outbox(leadId);
    expect(texts.map((m) => m.kind)).toEqual(['first_reply', 'reply']);
    expect(texts[1]!.body).toMatch(/^Sorry we missed your call/);
    expect(await h.database.db.lead.count({ where: { phone } })).toBe(1);
    const events = await h.database.db.eventLog.findMany({ where: { leadId, event: 'missed_call' } });
    expect(events.map((e) => e.detail)).toEqual([{ callSid: sid, reason: 'no-answer', suppressed: false }]);
    // The follow-up cadence goes on from the first reply: the call did not restart the lead.
    expect((await h.state(leadId)).followUpsSent).toBe(0);
    expect((await h.state(leadId)).nextAction?.kind).toBe('follow_up');
  });

  it('a suppressed number gets no text and becomes no lead', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 12 });
    const phone = '+12125550405';
    await h.database.db.suppression.create({ data: { businessId: business.id, phone, reason: 'keyword' } });
    const { result, sid } = await missedCall(business.id, phone);
    expect(result).toEqual({ outcome: 'suppressed', leadId: null });
    await h.settle(2000);
    expect(await h.database.db.lead.count({ where: { phone } })).toBe(0);
    expect(await h.database.db.message.count({ where: { businessId: business.id } })).toBe(0);
    const events = await h.database.db.eventLog.findMany({ where: { businessId: business.id, event: 'missed_call' } });
    expect(events.map((e) => e.detail)).toEqual([{ callSid: sid, reason: 'no-answer', suppressed: true }]);
  });

  it('an opted-out lead who calls gets no text', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 13 });
    const phone = '+12125550406';
    const { leadId } = await h.startLead({ businessId: business.id, lead: { phone } });
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(1);
    await h.text({ businessId: business.id, from: phone, body: 'STOP' });
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(2);
    const { result } = await missedCall(business.id, phone);
    expect(result).toMatchObject({ outcome: 'suppressed', leadId });
    await h.settle(2000);
    expect((await h.outbox(leadId)).map((m) => m.kind)).toEqual(['first_reply', 'opt_out_confirmation']);
  });

  it('the same CallSid twice texts once', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 14 });
    const phone = '+12125550407';
    const first = await missedCall(business.id, phone);
    const leadId = first.result.leadId!;
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(1);
    const retry = await missedCall(business.id, phone, first.sid);
    expect(retry.result).toMatchObject({ outcome: 'texting', leadId, createdLead: false, duplicate: true });
    await h.settle(2000);
    expect(await h.outbox(leadId)).toHaveLength(1);
    expect((await h.state(leadId)).missedCallsSeen).toEqual([first.sid]);
    expect(await h.database.db.eventLog.count({ where: { leadId, event: 'missed_call' } })).toBe(1);

    // Another call later is another text.
    await sleep(leadId, '10 minutes');
    await missedCall(business.id, phone);
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(2);
  });
});
