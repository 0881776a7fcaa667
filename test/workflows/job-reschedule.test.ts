import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobUpdate, leadWorkflowId, moveAppointmentUpdate, type Slot } from '../../workflows/lead/definitions';
import { jobOf } from '../../workflows/lead/job';
import { createBusiness } from '../support/business';
import { skipTo } from '../support/clock';
import { createLeadHarness, type LeadHarness } from '../support/lead-harness';

const NY = 'America/New_York';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Visits on Tuesdays and Thursdays only: the Thursday visit's next free Tuesday is the week after. */
const TUE_THU = { tue: [{ start: '10:00', end: '17:00' }], thu: [{ start: '10:00', end: '17:00' }] };

/**
 * The lead moves their own visit by text: the appointment (and so the job) goes to the time
 * picked, the reminders of the old time never come, those of the new time do, and the
 * technician can go on the way to the new visit.
 */
describe('lead workflow: reschedule by text moves the job and its reminders', () => {
  let h: LeadHarness;
  beforeAll(async () => {
    h = await createLeadHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const handle = (leadId: string) => h.env.client.workflow.getHandle(leadWorkflowId(leadId));
  const reminders = async (leadId: string) => (await h.outbox(leadId)).filter((m) => m.kind === 'reminder');
  const local = (iso: string) => DateTime.fromISO(iso, { zone: NY });
  /** Skips simulated time to the instant given (no activity left in flight). */
  const skipUntil = async (ms: number) => h.sleep(ms - (await h.env.currentTimeMs()));

  /** The lead texts and waits for the answer. */
  async function answered(businessId: string, leadId: string, phone: string, body: string) {
    const before = (await h.outbox(leadId)).length;
    await h.text({ businessId, from: phone, body });
    await expect.poll(async () => (await h.outbox(leadId)).length, { timeout: 20_000 }).toBeGreaterThan(before);
    return (await h.outbox(leadId)).at(-1)!;
  }

  /** On a Monday the lead asks for a visit and picks Thursday 10:00 from the times offered. */
  async function bookedThursday(businessId: string, phone: string, ask = 'When can someone come by?') {
    await skipTo(h.env, { zone: NY, weekday: 1, hour: 10 });
    const { leadId } = await h.startLead({ businessId, lead: { phone } });
    await expect.poll(async () => (await h.outbox(leadId)).length, { timeout: 20_000 }).toBe(1);
    await answered(businessId, leadId, phone, ask);
    const offered = (await h.state(leadId)).offer!.slots;
    const thursday = offered.findIndex((s) => local(s.start).weekday === 4 && local(s.start).hour === 10);
    expect(thursday, offered.map((s) => s.label).join('; ')).toBeGreaterThanOrEqual(0);
    const confirmation = await answered(businessId, leadId, phone, String(thursday + 1));
    expect(confirmation.kind).toBe('confirmation');
    const booking = (await h.state(leadId)).booking!;
    expect(booking).toMatchObject({ start: offered[thursday]!.start, version: 1 });
    return { leadId, booking, slot: offered[thursday]! };
  }

  /** On Tuesday afternoon, well before the 24-hour reminder, the lead asks to move and picks next Tuesday. */
  async function rescheduledToNextTuesday(businessId: string, leadId: string, phone: string) {
    await skipTo(h.env, { zone: NY, weekday: 2, hour: 16 });
    const offer = await answered(businessId, leadId, phone, 'Something came up, can we reschedule? Next Tuesday works');
    const state = await h.state(leadId);
    expect(state.status).toBe('offered');
    const slots = state.offer!.slots;
    expect(offer.body).toContain(slots[0]!.label);
    const nextTuesday = slots.findIndex((s) => local(s.start).weekday === 2);
    expect(nextTuesday, slots.map((s) => s.label).join('; ')).toBeGreaterThanOrEqual(0);
    const moved = await answered(businessId, leadId, phone, String(nextTuesday + 1));
    expect(moved.kind).toBe('confirmation');
    expect(moved.body).toContain(slots[nextTuesday]!.label);
    return slots[nextTuesday]!;
  }

  it('moves Thursday’s visit to next Tuesday: one appointment row, a scheduled job, reminders only for Tuesday', async () => {
    const business = await createBusiness(h.database.db, { businessHours: TUE_THU });
    const phone = '+12125550231';
    const { leadId, booking: before, slot: thursday } = await bookedThursday(business.id, phone);
    const oldStart = Date.parse(before.start);
    // Booked on Monday for Thursday: the 24-hour reminder is planned for Wednesday 10:00.
    expect((await h.state(leadId)).nextAction).toEqual({
      kind: 'reminder_24h',
      at: new Date(oldStart - 24 * HOUR).toISOString(),
    });

    const to: Slot = await rescheduledToNextTuesday(business.id, leadId, phone);
    const newStart = Date.parse(to.start);
    expect(local(to.start).toFormat('ccc HH:mm')).toBe('Tue 10:00');
    expect(newStart - oldStart).toBe(5 * 24 * HOUR);

    // The same appointment moved: nothing is booked at Thursday 10:00 any more.
    const rows = await h.database.db.appointment.findMany({ where: { leadId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: before.appointmentId, status: 'booked', startsAt: new Date(to.start) });
    const atOldTime = await h.database.db.appointment.count({
      where: { businessId: business.id, status: 'booked', startsAt: new Date(before.start) },
    });
    expect(atOldTime).toBe(0);
    const state = await h.state(leadId);
    expect(state.status).toBe('booked');
    expect(state.offer).toBeNull();
    expect(state.booking).toMatchObject({
      appointmentId: before.appointmentId,
      start: to.start,
      end: to.end,
      version: 2,
      remindersSent: [],
    });
    expect(jobOf(state)).toMatchObject({ appointmentId: before.appointmentId, status: 'scheduled' });
    expect(state.nextAction).toEqual({ kind: 'reminder_24h', at: new Date(newStart - 24 * HOUR).toISOString() });
    const moved = await h.database.db.alert.findMany({ where: { leadId, kind: 'moved' } });
    expect(moved.map((a) => (a.detail as { start: string }).start)).toEqual([to.start]);

    // Thursday's reminder times (Wednesday 10:00, Thursday 08:00) and its settling pass in silence.
    const sent = (await h.outbox(leadId)).length;
    for (const at of [oldStart - 24 * HOUR, oldStart - 2 * HOUR, Date.parse(before.end) + 3 * HOUR]) {
      await skipUntil(at + MINUTE);
      await h.settle();
      expect(await h.outbox(leadId)).toHaveLength(sent);
    }
    expect(await h.state(leadId)).toMatchObject({ status: 'booked', booking: { start: to.start } });
    expect((await h.database.db.appointment.findUniqueOrThrow({ where: { id: before.appointmentId } })).status).toBe(
      'booked',
    );

    // Tuesday's reminders come 24 and 2 hours before it (Monday 10:00, Tuesday 08:00), naming Tuesday.
    const expected = `Reminder from ${business.name}: your appointment is ${to.label}. Reply RESCHEDULE if you need a different time.`;
    for (const [n, which, ahead] of [
      [1, '24h', 24 * HOUR],
      [2, '2h', 2 * HOUR],
    ] as const) {
      await skipUntil(newStart - ahead - 5 * MINUTE);
      await h.settle();
      expect(await reminders(leadId)).toHaveLength(n - 1);
      await skipUntil(newStart - ahead + MINUTE);
      await expect.poll(async () => (await reminders(leadId)).length, { timeout: 20_000 }).toBe(n);
      const reminder = (await reminders(leadId)).at(-1)!;
      expect(reminder.body).toBe(expected);
      expect(reminder.body).not.toContain(thursday.label);
      // Keyed by the moved version: no reminder of Thursday's slot could stand in for Tuesday's.
      expect(reminder.idempotencyKey).toContain(`reminder-${which}-${before.appointmentId}-v2`);
    }

    // The technician goes on the way to the moved visit.
    await skipUntil(newStart - 30 * MINUTE);
    const onMyWay = await handle(leadId).executeUpdate(jobUpdate, {
      args: [{ status: 'en_route', etaMinutes: 25, technicianName: 'Maria Lopez' }],
    });
    expect(onMyWay).toMatchObject({
      ok: true,
      job: { appointmentId: before.appointmentId, status: 'en_route', etaMinutes: 25 },
    });
    const last = (await h.outbox(leadId)).at(-1)!;
    expect(last.body).toBe(`Maria from ${business.name} is on the way, arriving in about 25 min.`);
    expect(last.idempotencyKey).toContain(`job-en_route-${before.appointmentId}-v2`);
    expect(await reminders(leadId)).toHaveLength(2);
  });

  it('moves a technician’s visit to another free technician when the assigned one is off that day', async () => {
    const business = await createBusiness(h.database.db);
    const db = h.database.db;
    const drain = await db.service.findFirstOrThrow({ where: { businessId: business.id, name: 'Drain cleaning' } });
    const [marco, lena] = await Promise.all(
      ['Marco Diaz', 'Lena Park'].map((name) =>
        db.technician.create({ data: { businessId: business.id, name, weeklyHours: TUE_THU } }),
      ),
    );
    await db.technicianService.createMany({
      data: [marco!, lena!].map((t) => ({ businessId: business.id, technicianId: t.id, serviceId: drain.id })),
    });
    const phone = '+12125550232';
    const { leadId, booking } = await bookedThursday(business.id, phone, 'Can someone come by for a drain cleaning?');
    const assigned = await db.appointment.findUniqueOrThrow({ where: { id: booking.appointmentId } });
    const [first, other] = assigned.technicianId === marco!.id ? [marco!, lena!] : [lena!, marco!];
    expect(assigned.technicianId).toBe(first.id);
    expect(booking.technicianName).toBe(first.name.split(' ')[0]);

    // The assigned technician takes next Tuesday off before the lead asks to move.
    const nextTuesday = local(booking.start).plus({ days: 5 }).startOf('day');
    await db.technicianTimeOff.create({
      data: {
        businessId: business.id,
        technicianId: first.id,
        startsAt: nextTuesday.toJSDate(),
        endsAt: nextTuesday.endOf('day').toJSDate(),
      },
    });
    const to = await rescheduledToNextTuesday(business.id, leadId, phone);
    expect(local(to.start).hasSame(nextTuesday, 'day')).toBe(true);

    const row = await db.appointment.findUniqueOrThrow({ where: { id: booking.appointmentId } });
    expect(row).toMatchObject({ status: 'booked', startsAt: new Date(to.start), technicianId: other.id });
    const state = await h.state(leadId);
    expect(state.booking).toMatchObject({ start: to.start, version: 2, technicianName: other.name.split(' ')[0] });
    expect(jobOf(state)).toMatchObject({
      appointmentId: booking.appointmentId,
      status: 'scheduled',
      technicianName: other.name.split(' ')[0],
    });

    // The job's default technician is the one now assigned: "on my way" names them.
    const onMyWay = await handle(leadId).executeUpdate(jobUpdate, { args: [{ status: 'en_route', etaMinutes: 15 }] });
    expect(onMyWay).toMatchObject({ ok: true, job: { status: 'en_route', technicianName: other.name.split(' ')[0] } });
    expect((await h.outbox(leadId)).at(-1)!.body).toBe(
      `${other.name.split(' ')[0]} from ${business.name} is on the way, arriving in about 15 min.`,
    );
  });
  it('a visit moved after the technician set out starts over as scheduled at its new time', async () => {
    const business = await createBusiness(h.database.db, { businessHours: TUE_THU });
    const phone = '+12125550233';
    const { leadId, booking } = await bookedThursday(business.id, phone);
    const start = Date.parse(booking.start);
    await skipUntil(start - 30 * MINUTE);
    const onMyWay = await handle(leadId).executeUpdate(jobUpdate, { args: [{ status: 'en_route', etaMinutes: 20 }] });
    expect(onMyWay).toMatchObject({ ok: true, job: { status: 'en_route' } });

    // The van broke down: the office moves the visit to next Tuesday 10:00 from the app.
    const nextTuesday = local(booking.start).plus({ days: 5 }).toUTC().toISO()!;
    const moved = await handle(leadId).executeUpdate(moveAppointmentUpdate, { args: [{ start: nextTuesday }] });
    expect(moved).toMatchObject({ ok: true, status: 'booked' });
    const state = await h.state(leadId);
    expect(state.booking).toMatchObject({ appointmentId: booking.appointmentId, version: 2 });
    expect(Date.parse(state.booking!.start)).toBe(Date.parse(nextTuesday));
    // Not still "on the way" for a visit five days off; "started" is refused until someone sets out again.
    expect(jobOf(state)).toMatchObject({ appointmentId: booking.appointmentId, status: 'scheduled' });
    expect(jobOf(state)).not.toHaveProperty('etaMinutes');
    await skipUntil(Date.parse(nextTuesday) - 30 * MINUTE);
    const again = await handle(leadId).executeUpdate(jobUpdate, { args: [{ status: 'en_route', etaMinutes: 15 }] });
    expect(again).toMatchObject({ ok: true, job: { status: 'en_route', etaMinutes: 15 } });
    expect((await h.outbox(leadId)).at(-1)!.idempotencyKey).toContain(`job-en_route-${booking.appointmentId}-v2`);
  });
});
