import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { leadWorkflowId } from '../../workflows/lead/definitions';
import { createLogger } from '../../logging/logger';
import { createTemplateWriter } from '../../providers/ai/template-writer';
import { createLocalOutboxProvider } from '../../providers/sms/local-outbox';
import { createBusiness } from '../support/business';
import { localNow, skipTo } from '../support/clock';
import { createLeadHarness, type LeadHarness } from '../support/lead-harness';

const NY = 'America/New_York';

/**
 * A new lead is recorded and, when its window is open, answered in one activity
 * ('record-with-first-reply'); outside the window, or for a number that opted out, the
 * activity records it and the workflow's plan takes over as before.
 */
describe('recording a lead and its first reply in one activity', () => {
  let h: LeadHarness;
  beforeAll(async () => {
    h = await createLeadHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const historyOf = async (leadId: string) =>
    (await h.env.client.workflow.getHandle(leadWorkflowId(leadId)).fetchHistory()).events ?? [];

  /**
   * Activity types the lead's workflow ran, in order: a task-queue activity by its type, a
   * local one as `local:` and its type (from its marker's data, which Temporal writes in clear).
   */
  const activities = async (leadId: string) =>
    (await historyOf(leadId)).flatMap((e) => {
      const scheduled = e.activityTaskScheduledEventAttributes?.activityType?.name;
      if (scheduled) return [scheduled];
      const marker = e.markerRecordedEventAttributes;
      if (marker?.markerName !== 'core_local_activity') return [];
      const data = marker.details?.data?.payloads?.[0]?.data;
      const { activity_type } = JSON.parse(Buffer.from(data ?? new Uint8Array()).toString()) as {
        activity_type: string;
      };
      return [`local:${activity_type}`];
    });

  it('in the window: one activity records the lead and texts the first reply; the cadence counts from it', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: 3, hour: 10 });
    const { leadId, workflowId } = await h.startLead({
      businessId: business.id,
      lead: { phone: '+12125550181', name: 'Rosa Quintero' },
    });

    await expect.poll(async () => (await h.outbox(leadId)).length, { timeout: 20_000 }).toBe(1);
    const [first] = await h.outbox(leadId);
    expect(first).toMatchObject({ kind: 'first_reply', status: 'sent', idempotencyKey: `${workflowId}:first-reply` });
    expect(first!.body).toMatch(/STOP/);
    await expect.poll(async () => (await h.state(leadId)).status, { timeout: 20_000 }).toBe('contacted');
    // Since 'local-capture' a local activity of the workflow's first task, which also publishes
    // the status and starts the follow-up's timer: one workflow task in all.
    expect(await activities(leadId)).toEqual(['local:recordLeadAndFirstReply']);
    const history = await historyOf(leadId);
    const firstTimer = history.findIndex((e) => e.timerStartedEventAttributes);
    expect(firstTimer).toBeGreaterThan(0);
    expect(history.slice(0, firstTimer).filter((e) => e.workflowTaskCompletedEventAttributes)).toHaveLength(1);
    const state = await h.state(leadId);
    expect(state.firstReplyAt).not.toBeNull();
    expect(state.recorded).toBe(true);
    expect(state.timeZone).toBe(NY);
    const row = await h.database.db.lead.findUniqueOrThrow({ where: { id: leadId } });
    expect(row).toMatchObject({ status: 'contacted', lastActivityAt: new Date(state.firstReplyAt!) });
    // The outbox row and its delivery log, written by the send's single statements.
    const events = await h.database.db.eventLog.findMany({ where: { leadId }, select: { event: true, detail: true } });
    expect(events.map((e) => e.event)).toContain('sent');

    // The first follow-up an hour after that reply.
    await h.sleep('61 minutes');
    await expect
      .poll(async () => (await h.outbox(leadId)).map((m) => m.kind), { timeout: 20_000 })
      .toEqual(['first_reply', 'follow_up']);
  });

  it('at night: the activity records the lead and sends nothing; the workflow texts at 08:00', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, hour: 23 });
    const { leadId } = await h.startLead({ businessId: business.id, lead: { phone: '+12125550182' } });

    await expect.poll(async () => (await h.state(leadId)).recorded, { timeout: 20_000 }).toBe(true);
    await h.settle();
    expect(await h.outbox(leadId)).toHaveLength(0);
    expect(await activities(leadId)).toEqual(['local:recordLeadAndFirstReply']);
    expect((await h.state(leadId)).nextAction?.kind).toBe('first_reply');

    await h.sleep('9 hours');
    await expect.poll(async () => (await h.outbox(leadId)).length, { timeout: 20_000 }).toBe(1);
    expect((await h.outbox(leadId))[0]!.kind).toBe('first_reply');
    expect((await localNow(h.env, NY)).hour).toBeGreaterThanOrEqual(8);
    // Since 'local-first-reply' the 08:00 text is a local activity of the workflow task the
    // timer woke: no task-queue activity, and that one task also starts the follow-up's timer.
    const afterFired = async () => {
      const events = await historyOf(leadId);
      const fired = events.findIndex((e) => e.timerFiredEventAttributes);
      const rest = events.slice(fired);
      const nextTimer = rest.findIndex((e) => e.timerStartedEventAttributes);
      return fired < 0 || nextTimer < 0 ? null : rest.slice(0, nextTimer);
    };
    await expect.poll(afterFired, { timeout: 20_000 }).not.toBeNull();
    const woke = (await afterFired())!;
    expect(woke.filter((e) => e.workflowTaskCompletedEventAttributes)).toHaveLength(1);
    expect(woke.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')).toHaveLength(1);
    expect(woke.some((e) => e.activityTaskScheduledEventAttributes)).toBe(false);
    expect(await activities(leadId)).toEqual(['local:recordLeadAndFirstReply', 'local:sendLeadSms']);
    // The follow-up counts from that reply.
    await h.sleep('61 minutes');
    await expect
      .poll(async () => (await h.outbox(leadId)).map((m) => m.kind), { timeout: 20_000 })
      .toEqual(['first_reply', 'follow_up']);
  });

  it('a number that opted out: recorded, never texted, and the lead is marked opted out', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, hour: 11 });
    await h.database.db.suppression.create({
      data: { businessId: business.id, phone: '+12125550183', reason: 'stop' },
    });
    const { leadId } = await h.startLead({ businessId: business.id, lead: { phone: '+12125550183' } });

    await expect.poll(async () => (await h.state(leadId)).optedOut, { timeout: 20_000 }).toBe(true);
    await h.sleep('2 days');
    expect(await h.outbox(leadId)).toHaveLength(0);
    expect(await activities(leadId)).toEqual(['local:recordLeadAndFirstReply']);
  });

  it('a late attempt (a retry after an outage) records the lead and leaves the reply to the workflow', async () => {
    const business = await createBusiness(h.database.db);
    const sms = createLocalOutboxProvider();
    const { recordLeadAndFirstReply } = createActivities({
      db: h.database.appDb,
      sms,
      ai: null,
      templates: createTemplateWriter(),
      calendarFor: async () => null,
      log: createLogger({ name: 'test', level: 'silent' }),
    });
    const leadId = randomUUID();
    // Asked two minutes ago: late now, whatever the window said then.
    const asked = new Date(Date.now() - 120_000).toISOString();
    const input = {
      leadId,
      businessId: business.id,
      lead: { name: 'Rosa Quintero', phone: '+12125550184', source: 'api' as const },
      capturedAt: asked,
      reply: { idempotencyKey: `lead-${leadId}:first-reply`, status: 'contacted' as const, at: asked },
    };
    const late = await recordLeadAndFirstReply(input);
    expect(late.reply).toBeNull();
    expect(late.context.timeZone).toBe(NY);
    expect(await h.database.db.lead.count({ where: { id: leadId } })).toBe(1);
    expect(await h.database.db.message.count({ where: { leadId } })).toBe(0);

    // Asked at a workflow time inside the window (the next 10:00 in New York: like the test
    // server's, ahead of the clock, so never late): sent once, and a retry finds the same row.
    let next = DateTime.now().setZone(NY).set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
    if (next < DateTime.now()) next = next.plus({ days: 1 });
    const at = next.toUTC().toISO()!;
    const onTime = { ...input, capturedAt: at, reply: { ...input.reply, at } };
    const sent = await recordLeadAndFirstReply(onTime);
    const again = await recordLeadAndFirstReply(onTime);
    expect(sent.reply).toMatchObject({ status: 'sent' });
    expect(again.reply).toEqual(sent.reply);
    expect(await h.database.db.message.count({ where: { leadId } })).toBe(1);
  });
});
