import { Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadWorkflowId } from '../../workflows/lead/definitions';
import { createBusiness } from '../support/business';
import { localNow, skipTo } from '../support/clock';
import { createLeadHarness, type LeadHarness } from '../support/lead-harness';
import { workflowBundle } from '../support/temporal';

const NY = 'America/New_York';
const TUESDAY = 2;

/**
 * One lead's whole life on the time-skipping server, with the real activities and the
 * real Postgres: two years pass in seconds.
 */
describe('lead lifecycle', () => {
  let h: LeadHarness;
  beforeAll(async () => {
    h = await createLeadHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const count = (leadId: string) => async () => (await h.outbox(leadId)).length;

  it('replies, follows up twice, converses, books, reminds, completes, and deletes the messages 24 months after the last activity', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const { leadId } = await h.startLead({
      businessId: business.id,
      lead: { phone: '+12125550142', name: 'Dana Whitfield' },
    });

    // First reply at once, with the opt-out wording.
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(1);
    const [first] = await h.outbox(leadId);
    expect(first).toMatchObject({ kind: 'first_reply', status: 'sent' });
    expect(first!.body).toMatch(/STOP/);
    expect((await h.state(leadId)).status).toBe('contacted');

    // Follow-ups at +1 hour and +1 day.
    await h.sleep('61 minutes');
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(2);
    await h.sleep('1 day');
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(3);
    expect((await h.outbox(leadId)).map((m) => m.kind)).toEqual(['first_reply', 'follow_up', 'follow_up']);

    // The lead answers: three real slots are offered.
    await h.text({ businessId: business.id, from: '+12125550142', body: 'Do you have anything Thursday morning?' });
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(4);
    const offered = await h.state(leadId);
    expect(offered.status).toBe('offered');
    expect(offered.offer?.slots).toHaveLength(3);
    const offer = (await h.outbox(leadId))[3]!;
    for (const slot of offered.offer!.slots) expect(offer.body).toContain(slot.label);

    // The lead picks the third: booked, stored, confirmed.
    await h.text({ businessId: business.id, from: '+12125550142', body: '3' });
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(5);
    const booked = await h.state(leadId);
    expect(booked.status).toBe('booked');
    expect(booked.booking?.start).toBe(offered.offer!.slots[2]!.start);
    const appointment = await h.database.db.appointment.findFirstOrThrow({ where: { leadId } });
    expect(appointment).toMatchObject({ status: 'booked', startsAt: new Date(booked.booking!.start) });
    expect((await h.outbox(leadId))[4]).toMatchObject({ kind: 'confirmation' });

    // Reminders 24 h and 2 h before, then the visit is settled as completed.
    const start = Date.parse(booked.booking!.start);
    await h.sleep(start - 24 * 3_600_000 - (await h.env.currentTimeMs()) + 60_000);
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(6);
    await h.sleep(start - 2 * 3_600_000 - (await h.env.currentTimeMs()) + 60_000);
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(7);
    expect((await h.outbox(leadId)).slice(5).map((m) => m.kind)).toEqual(['reminder', 'reminder']);
    await h.sleep(Date.parse(booked.booking!.end) - (await h.env.currentTimeMs()) + 3 * 3_600_000);
    await expect.poll(async () => (await h.state(leadId)).status, { timeout: 20_000 }).toBe('completed');
    expect((await h.database.db.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).status).toBe(
      'completed',
    );

    // Nearly two years of quiet, then a late reply re-arms the retention timer.
    const afterVisit = await h.state(leadId);
    expect(afterVisit.nextAction?.kind).toBe('retention_delete');
    await h.sleep('700 days');
    expect(await h.database.db.message.count({ where: { leadId } })).toBeGreaterThan(7);
    await h.text({ businessId: business.id, from: '+12125550142', body: 'thanks!' });
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(8);
    const lateActivity = Date.parse((await h.state(leadId)).lastActivityAt);
    const deleteAt = Date.parse((await h.state(leadId)).nextAction!.at!);
    expect(deleteAt - lateActivity).toBe(730 * 86_400_000);

    // Not a day before…
    await h.sleep(deleteAt - (await h.env.currentTimeMs()) - 86_400_000);
    await h.settle();
    expect(await h.database.db.message.count({ where: { leadId } })).toBe(11);
    // …and gone on the day, with a receipt that names no one.
    await h.sleep('2 days');
    await expect.poll(() => h.database.db.message.count({ where: { leadId } }), { timeout: 20_000 }).toBe(0);
    const receipt = await h.database.db.deletionReceipt.findFirstOrThrow({ where: { subjectId: leadId } });
    expect(receipt).toMatchObject({ cause: 'policy:messaging_logs', counts: { messages: 11 } });
    expect(JSON.stringify(receipt, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toMatch(/Dana|5550142/);
    expect((await h.database.db.lead.findUniqueOrThrow({ where: { id: leadId } })).status).toBe('retention_deleted');

    // Every run of this two-year history (continue-as-new chain, newest first) replays
    // without non-determinism, and stays far below the 2,000-event budget.
    let runId: string | undefined;
    let runs = 0;
    for (;;) {
      const history = await h.env.client.workflow.getHandle(leadWorkflowId(leadId), runId).fetchHistory();
      await Worker.runReplayHistory(
        { workflowBundle: await workflowBundle(), dataConverter: h.dataConverter },
        history,
        `${leadWorkflowId(leadId)}-${runs}`,
      );
      expect(history.events!.length).toBeLessThan(2000);
      runs += 1;
      runId = history.events![0]!.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
      if (!runId) break;
    }
    expect(runs).toBeGreaterThanOrEqual(1);
  });

  it('holds a first reply captured at 23:30 local until 08:00', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, hour: 23, minute: 30 });
    const { leadId } = await h.startLead({ businessId: business.id, lead: { phone: '+12125550177' } });
    await h.settle(3000);
    expect(await h.outbox(leadId)).toHaveLength(0);
    const waiting = await h.state(leadId);
    expect(waiting.nextAction?.kind).toBe('first_reply');
    const sendAt = DateTime.fromISO(waiting.nextAction!.at!, { zone: NY });
    expect(sendAt.toFormat('HH:mm')).toBe('08:00');
    expect(sendAt.diff(await localNow(h.env, NY), 'hours').hours).toBeCloseTo(8.5, 1);

    await h.sleep('8 hours');
    await h.settle();
    expect(await h.outbox(leadId)).toHaveLength(0);
    await h.sleep('31 minutes');
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(1);
    expect(DateTime.fromISO((await h.state(leadId)).firstReplyAt!, { zone: NY }).toFormat('HH:mm')).toBe('08:00');
  });

  it('stops everything at STOP in the middle of the cadence: one confirmation, then silence', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const { leadId } = await h.startLead({ businessId: business.id, lead: { phone: '+12125550188' } });
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(1);
    await h.sleep('61 minutes');
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(2);

    await h.text({ businessId: business.id, from: '+12125550188', body: '  Stop. ' });
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(3);
    expect((await h.outbox(leadId))[2]).toMatchObject({ kind: 'opt_out_confirmation' });
    expect(await h.database.db.suppression.count({ where: { businessId: business.id, phone: '+12125550188' } })).toBe(
      1,
    );

    await h.sleep('30 days');
    await h.settle();
    expect(await h.outbox(leadId)).toHaveLength(3);
    const state = await h.state(leadId);
    expect(state.status).toBe('opted_out');
    expect(state.nextAction?.kind).toBe('retention_delete');
  });

  it('cancels pending reminders at STOP after a booking', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const { leadId } = await h.startLead({ businessId: business.id, lead: { phone: '+12125550199' } });
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(1);
    await h.text({ businessId: business.id, from: '+12125550199', body: 'sure, schedule me' });
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(2);
    await h.text({ businessId: business.id, from: '+12125550199', body: 'the last one' });
    await expect.poll(async () => (await h.state(leadId)).status, { timeout: 20_000 }).toBe('booked');
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(3);
    // The booking's alerts run after the confirmation, before the workflow plans its next step.
    await expect.poll(async () => (await h.state(leadId)).nextAction?.kind, { timeout: 20_000 }).toBe('reminder_24h');

    await h.text({ businessId: business.id, from: '+12125550199', body: 'STOP' });
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(4);
    await h.sleep('5 days');
    await h.settle();
    expect((await h.outbox(leadId)).map((m) => m.kind)).toEqual([
      'first_reply',
      'reply',
      'confirmation',
      'opt_out_confirmation',
    ]);
  });

  it('hands off to a person: the AI stops, follow-ups stop, the person’s text is sent', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone: '+12125550166' } });
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(1);

    const result = await h.env.client.workflow.getHandle(workflowId).executeUpdate('manualMessage', {
      args: [{ leadId, text: 'Hi Dana, this is Luis from Rivera. I can come by at 4 today.', requestId: 'r1' }],
    });
    expect(result).toMatchObject({ status: 'sent' });
    const state = await h.state(leadId);
    expect(state).toMatchObject({ status: 'handed_off', aiPaused: true });

    await h.text({
      businessId: business.id,
      from: '+12125550166',
      body: 'How much do you charge for a drain cleaning?',
    });
    await h.sleep('10 days');
    await h.settle();
    expect((await h.outbox(leadId)).map((m) => m.kind)).toEqual(['first_reply', 'manual']);
  });

  it('continues as new after a long conversation, carrying its state, and still deletes on time', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const phone = '+12125550155';
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone } });
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(1);
    for (let i = 0; i < 20; i += 1) {
      await h.text({ businessId: business.id, from: phone, body: 'thanks!' });
      await expect.poll(count(leadId), { timeout: 20_000 }).toBe(i + 2);
    }
    // The last reply's row exists while its send is still finishing: its outcome (the lead's
    // last activity) reaches the state when the activity completes.
    await expect
      .poll(
        async () => (await h.env.client.workflow.getHandle(workflowId).describe()).raw.pendingActivities?.length ?? 0,
        { timeout: 20_000 },
      )
      .toBe(0);
    const before = await h.state(leadId);
    // A fresh run, chained to the first, with the same state.
    await expect
      .poll(
        async () =>
          (await h.env.client.workflow.getHandle(workflowId).fetchHistory()).events?.[0]
            ?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId,
        { timeout: 20_000 },
      )
      .toBeTruthy();
    const after = await h.state(leadId);
    expect(after.run).toBeGreaterThanOrEqual(2);
    expect({ ...after, run: 0, nextAction: null }).toEqual({ ...before, run: 0, nextAction: null });
    expect(after.nextAction?.kind).toBe('retention_delete');

    await h.sleep('731 days');
    await expect.poll(() => h.database.db.message.count({ where: { leadId } }), { timeout: 20_000 }).toBe(0);
  });
});
