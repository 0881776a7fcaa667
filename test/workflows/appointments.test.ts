import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appointmentOutcomeUpdate,
  bookSlotUpdate,
  cancelAppointmentUpdate,
  leadWorkflowId,
  moveAppointmentUpdate,
  type Slot,
} from '../../workflows/lead/definitions';
import { createBusiness } from '../support/business';
import { skipTo } from '../support/clock';
import { createLeadHarness, type LeadHarness } from '../support/lead-harness';

const NY = 'America/New_York';
const HOUR = 3_600_000;

/**
 * The business moves, cancels and settles a lead's appointment through the workflow's
 * updates: the reminders follow the appointment, the lead is told, and the calendar rows agree.
 */
describe('lead workflow: the business moves, cancels and settles an appointment', () => {
  let h: LeadHarness;
  beforeAll(async () => {
    h = await createLeadHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A lead with three offered slots, booked into the first. */
  async function bookedLead(businessId: string, phone: string): Promise<{ leadId: string; slots: Slot[] }> {
    const { leadId } = await h.startLead({ businessId, lead: { phone } });
    await expect.poll(async () => (await h.outbox(leadId)).length, { timeout: 20_000 }).toBe(1);
    await h.text({ businessId, from: phone, body: 'When can someone come by?' });
    await expect.poll(async () => (await h.state(leadId)).status, { timeout: 20_000 }).toBe('offered');
    const slots = (await h.state(leadId)).offer!.slots;
    const booked = await handle(leadId).executeUpdate(bookSlotUpdate, { args: [{ start: slots[0]!.start }] });
    expect(booked.ok).toBe(true);
    return { leadId, slots };
  }
  const handle = (leadId: string) => h.env.client.workflow.getHandle(leadWorkflowId(leadId));
  const kinds = async (leadId: string) => (await h.outbox(leadId)).map((m) => m.kind);
  const refusalType = (err: unknown) =>
    err instanceof WorkflowUpdateFailedError ? (err.cause as { type?: string } | undefined)?.type : String(err);

  it('moves the appointment: the row, a text with the new time, reminders only at the new time', async () => {
    const business = await createBusiness(h.database.db);
    // Saturday afternoon: the first open slots are on Monday, far enough ahead for a 24-hour reminder.
    await skipTo(h.env, { zone: NY, weekday: 6, hour: 14 });
    const { leadId, slots } = await bookedLead(business.id, '+12125550181');
    const before = (await h.state(leadId)).booking!;
    // Monday 08:00 moves to Monday noon: both reminders of the new time fall inside the lead's hours.
    const to = slots[1]!;

    const moved = await handle(leadId).executeUpdate(moveAppointmentUpdate, { args: [{ start: to.start }] });
    expect(moved).toMatchObject({ ok: true, status: 'booked', booking: { start: to.start, version: 2 } });
    const state = await h.state(leadId);
    expect(state.booking).toMatchObject({ appointmentId: before.appointmentId, start: to.start, remindersSent: [] });
    const row = await h.database.db.appointment.findUniqueOrThrow({ where: { id: before.appointmentId } });
    expect(row).toMatchObject({ status: 'booked', startsAt: new Date(to.start) });
    const texts = await h.outbox(leadId);
    expect(texts.map((m) => m.kind)).toEqual(['first_reply', 'reply', 'confirmation', 'confirmation']);
    expect(texts[3]!.body).toContain(to.label);

    // Reminders are planned from the new start (the lead's quiet hours may only delay them), never the old one.
    const oldStart = Date.parse(before.start);
    const newStart = Date.parse(to.start);
    expect(newStart).toBeGreaterThan(oldStart);
    const planned = (await h.state(leadId)).nextAction!;
    expect(planned.kind).toBe('reminder_24h');
    expect(Date.parse(planned.at!)).toBeGreaterThanOrEqual(newStart - 24 * HOUR);
    await h.sleep(oldStart - 24 * HOUR - (await h.env.currentTimeMs()) + 60_000);
    await h.settle();
    expect(await kinds(leadId)).not.toContain('reminder');
    for (const [n, kind] of [
      [1, 'reminder_24h'],
      [2, 'reminder_2h'],
    ] as const) {
      const next = (await h.state(leadId)).nextAction!;
      expect(next.kind).toBe(kind);
      expect(Date.parse(next.at!)).toBeLessThan(newStart);
      await h.sleep(Date.parse(next.at!) - (await h.env.currentTimeMs()) + 60_000);
      await expect
        .poll(async () => (await kinds(leadId)).filter((k) => k === 'reminder').length, { timeout: 20_000 })
        .toBe(n);
    }
    const reminders = (await h.outbox(leadId)).filter((m) => m.kind === 'reminder');
    // The version in their keys: a reminder of the old slot could never stand in for one of the new.
    for (const r of reminders) expect(r.idempotencyKey).toContain(`${before.appointmentId}-v2`);
  });

  it('refuses to move onto another lead’s slot (re-checked at commit)', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: 3, hour: 10 });
    const first = await bookedLead(business.id, '+12125550182');
    const second = await bookedLead(business.id, '+12125550183');
    const taken = (await h.state(first.leadId)).booking!.start;
    const moved = await handle(second.leadId).executeUpdate(moveAppointmentUpdate, { args: [{ start: taken }] });
    expect(moved).toEqual({ ok: false, reason: 'slot_taken' });
    const rows = await h.database.db.appointment.findMany({ where: { businessId: business.id, status: 'booked' } });
    expect(rows.map((r) => r.startsAt.toISOString()).filter((s) => s === taken)).toHaveLength(1);
    expect((await h.state(second.leadId)).booking!.version).toBe(1);
  });

  it('cancels the appointment: the row, a text to the lead, and no reminders after', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: 2, hour: 11 });
    const { leadId } = await bookedLead(business.id, '+12125550184');
    const booking = (await h.state(leadId)).booking!;
    expect((await h.state(leadId)).nextAction?.kind).toMatch(/^reminder_/);

    const cancelled = await handle(leadId).executeUpdate(cancelAppointmentUpdate, { args: [] });
    expect(cancelled).toMatchObject({
      ok: true,
      status: 'cancelled',
      booking: { appointmentId: booking.appointmentId },
    });
    const state = await h.state(leadId);
    expect(state.booking).toBeNull();
    expect(state.status).toBe('conversing');
    expect(state.nextAction?.kind).not.toMatch(/^reminder_|settle/);
    const row = await h.database.db.appointment.findUniqueOrThrow({ where: { id: booking.appointmentId } });
    expect(row.status).toBe('cancelled');
    const last = (await h.outbox(leadId)).at(-1)!;
    expect(last).toMatchObject({ kind: 'reply' });
    expect(last.body).toMatch(/cancelled/);

    const sent = (await kinds(leadId)).length;
    await h.sleep(Date.parse(booking.end) - (await h.env.currentTimeMs()) + 3 * HOUR);
    await h.settle(500);
    expect(await kinds(leadId)).toHaveLength(sent);
    expect((await h.state(leadId)).status).toBe('conversing');
  });

  it('cancels an opted-out lead’s appointment without texting', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: 4, hour: 10 });
    const phone = '+12125550185';
    const { leadId } = await bookedLead(business.id, phone);
    await h.text({ businessId: business.id, from: phone, body: 'STOP' });
    await expect.poll(() => kinds(leadId), { timeout: 20_000 }).toContain('opt_out_confirmation');
    const booking = (await h.state(leadId)).booking!;
    const sent = (await kinds(leadId)).length;

    const cancelled = await handle(leadId).executeUpdate(cancelAppointmentUpdate, { args: [] });
    expect(cancelled).toMatchObject({ ok: true, status: 'cancelled' });
    const row = await h.database.db.appointment.findUniqueOrThrow({ where: { id: booking.appointmentId } });
    expect(row.status).toBe('cancelled');
    expect((await h.state(leadId)).booking).toBeNull();
    await h.settle(500);
    expect(await kinds(leadId)).toHaveLength(sent);
    const attempted = await h.database.db.message.count({ where: { leadId, direction: 'outbound' } });
    expect(attempted).toBe(sent);
  });

  it('refuses a move, cancel or outcome without an appointment, before it reaches the history', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: 2, hour: 12 });
    const { leadId } = await h.startLead({ businessId: business.id, lead: { phone: '+12125550186' } });
    await expect.poll(async () => (await h.outbox(leadId)).length, { timeout: 20_000 }).toBe(1);
    const start = new Date((await h.env.currentTimeMs()) + 3 * 24 * HOUR).toISOString();
    const errors = await Promise.all([
      handle(leadId)
        .executeUpdate(moveAppointmentUpdate, { args: [{ start }] })
        .catch((e: unknown) => e),
      handle(leadId)
        .executeUpdate(cancelAppointmentUpdate, { args: [] })
        .catch((e: unknown) => e),
      handle(leadId)
        .executeUpdate(appointmentOutcomeUpdate, { args: [{ outcome: 'no_show' }] })
        .catch((e: unknown) => e),
    ]);
    expect(errors.map(refusalType)).toEqual(['no_appointment', 'no_appointment', 'no_appointment']);
    const history = await handle(leadId).fetchHistory();
    expect(history.events?.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toBe(false);
  });

  it('marks a started appointment a no-show: settled now, with its follow-up text', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: 3, hour: 11 });
    const { leadId } = await bookedLead(business.id, '+12125550187');
    const booking = (await h.state(leadId)).booking!;

    const early = await handle(leadId)
      .executeUpdate(appointmentOutcomeUpdate, { args: [{ outcome: 'no_show' }] })
      .catch((e: unknown) => e);
    expect(refusalType(early)).toBe('not_started');

    await h.sleep(Date.parse(booking.start) - (await h.env.currentTimeMs()) + 10 * 60_000);
    const marked = await handle(leadId).executeUpdate(appointmentOutcomeUpdate, { args: [{ outcome: 'no_show' }] });
    expect(marked).toMatchObject({ ok: true, status: 'no_show', booking: { appointmentId: booking.appointmentId } });
    const state = await h.state(leadId);
    expect(state).toMatchObject({ status: 'no_show', booking: null });
    const row = await h.database.db.appointment.findUniqueOrThrow({ where: { id: booking.appointmentId } });
    expect(row.status).toBe('no_show');
    expect((await h.database.db.lead.findUniqueOrThrow({ where: { id: leadId } })).status).toBe('no_show');
    await expect.poll(async () => (await h.outbox(leadId)).at(-1)?.body, { timeout: 20_000 }).toMatch(/missed you/);
  });
});
