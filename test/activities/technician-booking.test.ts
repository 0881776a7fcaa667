import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { createLogger } from '../../logging/logger';
import { createTemplateWriter } from '../../providers/ai/template-writer';
import { createGoogleCalendarProvider } from '../../providers/calendar/google';
import { createLocalOutboxProvider } from '../../providers/sms/local-outbox';
import { startGoogleFake, type GoogleFake } from '../fakes/google-fake';
import { createBusiness } from '../support/business';
import { freshDatabase, type TestDatabase } from '../support/database';

const ZONE = 'America/New_York';
const WEEKDAYS = {
  mon: [{ start: '08:00', end: '17:00' }],
  tue: [{ start: '08:00', end: '17:00' }],
  wed: [{ start: '08:00', end: '17:00' }],
  thu: [{ start: '08:00', end: '17:00' }],
  fri: [{ start: '08:00', end: '17:00' }],
};
/** Booking "now": Friday 2030-01-04 noon in New York; the search starts the Monday after. */
const AT = '2030-01-04T17:00:00.000Z';
const MONDAY_9 = '2030-01-07T14:00:00.000Z';

/** Booking with technicians on the real Postgres, as the runtime role; their calendars on the Google fake. */
describe('booking with several technicians', () => {
  let database: TestDatabase;
  let googleFake: GoogleFake;
  let activities: ReturnType<typeof createActivities>;
  const connected = new Set<string>();

  beforeAll(async () => {
    database = await freshDatabase();
    googleFake = await startGoogleFake({ refreshToken: 'refresh' });
    const calendar = createGoogleCalendarProvider({
      clientId: 'c.apps.googleusercontent.com',
      clientSecret: 's',
      refreshToken: 'refresh',
      apiBaseUrl: googleFake.url,
    });
    activities = createActivities({
      db: database.appDb,
      sms: createLocalOutboxProvider(),
      ai: null,
      templates: createTemplateWriter(),
      // Only the businesses a test connects have Google Calendar.
      calendarFor: async (businessId) =>
        connected.has(businessId) ? { provider: calendar, calendarId: 'office@example.com' } : null,
      log: createLogger({ name: 'test', level: 'silent' }),
    });
  });
  afterAll(async () => {
    await googleFake?.close();
    await database?.drop();
  });

  async function businessWith(people: Array<{ name: string; services?: 'all' | string[]; hours?: object }>) {
    const business = await createBusiness(database.db);
    const services = await database.db.service.findMany({
      where: { businessId: business.id },
      orderBy: { createdAt: 'asc' },
    });
    const technicians = [];
    for (const [i, p] of people.entries()) {
      const t = await database.db.technician.create({
        data: {
          businessId: business.id,
          name: p.name,
          weeklyHours: p.hours ?? WEEKDAYS,
          createdAt: new Date(Date.UTC(2029, 0, 1, 0, i)),
        },
      });
      const names = p.services === 'all' || !p.services ? services.map((s) => s.name) : p.services;
      await database.db.technicianService.createMany({
        data: services
          .filter((s) => names.includes(s.name))
          .map((s) => ({ businessId: business.id, technicianId: t.id, serviceId: s.id })),
      });
      technicians.push(t);
    }
    return { business, services, technicians };
  }

  async function lead(businessId: string) {
    const id = randomUUID();
    await database.db.lead.create({
      data: { id, businessId, name: 'Pat Doe', phone: `+1212555${String(1000 + Math.floor(Math.random() * 8999))}` },
    });
    return id;
  }

  const book = (businessId: string, leadId: string, start: string, serviceId?: string) =>
    activities.bookAppointment({
      businessId,
      leadId,
      start,
      timeZone: ZONE,
      at: AT,
      appointmentId: randomUUID(),
      ...(serviceId ? { serviceId } : {}),
    });

  it('gives N leads racing for M technicians’ same slot exactly M bookings, each on a different person', async () => {
    const { business, technicians } = await businessWith([
      { name: 'Ana Ruiz' },
      { name: 'Ben Cole' },
      { name: 'Cy Ford' },
    ]);
    const [slot] = await activities.findSlots({
      businessId: business.id,
      leadId: randomUUID(),
      timeZone: ZONE,
      count: 1,
      at: AT,
    });
    const leads = await Promise.all(Array.from({ length: 7 }, () => lead(business.id)));
    const results = await Promise.all(leads.map((leadId) => book(business.id, leadId, slot!.start)));

    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(results.filter((r) => !r.ok).map((r) => (r as { reason: string }).reason)).toEqual(
      Array(4).fill('slot_taken'),
    );
    const rows = await database.db.appointment.findMany({ where: { businessId: business.id, status: 'booked' } });
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((r) => r.technicianId))).toEqual(new Set(technicians.map((t) => t.id)));
    expect(rows.every((r) => r.startsAt.toISOString() === slot!.start)).toBe(true);
    // Each booking names its person's first name, for the job.
    expect(new Set(results.flatMap((r) => (r.ok ? [r.technicianName] : [])))).toEqual(new Set(['Ana', 'Ben', 'Cy']));
    // The losers get other times: nobody is offered the full slot again.
    const next = await activities.findSlots({
      businessId: business.id,
      leadId: leads[0]!,
      timeZone: ZONE,
      count: 3,
      at: AT,
    });
    expect(next.map((s) => s.start)).not.toContain(slot!.start);
    expect(next).toHaveLength(3);
    const retried = await book(
      business.id,
      leads.find((_, i) => !results[i]!.ok)!,
      next[0]!.start,
    );
    expect(retried.ok).toBe(true);
  });

  it('assigns round-robin among the least busy that week', async () => {
    const { business, technicians } = await businessWith([
      { name: 'Ana Ruiz' },
      { name: 'Ben Cole' },
      { name: 'Cy Ford' },
    ]);
    const days = ['07', '08', '09', '10', '11', '08'];
    const assigned: string[] = [];
    for (const [i, day] of days.entries()) {
      const start = `2030-01-${day}T${i === 5 ? '18' : '14'}:00:00.000Z`;
      const result = await book(business.id, await lead(business.id), start);
      expect(result.ok).toBe(true);
      assigned.push((result as { technicianName: string }).technicianName);
    }
    expect(assigned).toEqual(['Ana', 'Ben', 'Cy', 'Ana', 'Ben', 'Cy']);
    // A week where Ben already has a job goes to the others first.
    await database.db.appointment.create({
      data: {
        businessId: business.id,
        leadId: await lead(business.id),
        technicianId: technicians[1]!.id,
        startsAt: new Date('2030-01-14T20:00:00Z'),
        endsAt: new Date('2030-01-14T21:00:00Z'),
        status: 'completed',
      },
    });
    const next = await book(business.id, await lead(business.id), '2030-01-15T14:00:00.000Z');
    // Ben has one that week; Ana and Cy none: Ana was assigned before Cy, so Ana goes.
    expect(next).toMatchObject({ ok: true, technicianName: 'Ana' });
  });

  it('offers and books only people qualified for the service, free by their own hours and time off', async () => {
    const { business, services, technicians } = await businessWith([
      { name: 'Ana Ruiz', services: ['Drain cleaning'] },
      { name: 'Ben Cole', services: ['Water heater inspection'], hours: { tue: [{ start: '12:00', end: '16:00' }] } },
    ]);
    const heater = services.find((s) => s.name === 'Water heater inspection')!;
    const slots = await activities.findSlots({
      businessId: business.id,
      leadId: randomUUID(),
      timeZone: ZONE,
      count: 3,
      at: AT,
      serviceId: heater.id,
    });
    // Only Ben does inspections (90 minutes), Tuesdays 12:00–16:00.
    expect(slots.map((s) => [s.start, s.end])).toEqual([
      ['2030-01-08T17:00:00.000Z', '2030-01-08T18:30:00.000Z'],
      ['2030-01-15T17:00:00.000Z', '2030-01-15T18:30:00.000Z'],
    ]);
    await database.db.technicianTimeOff.create({
      data: {
        businessId: business.id,
        technicianId: technicians[1]!.id,
        startsAt: new Date('2030-01-08T05:00:00Z'),
        endsAt: new Date('2030-01-09T05:00:00Z'),
      },
    });
    const afterTimeOff = await activities.findSlots({
      businessId: business.id,
      leadId: randomUUID(),
      timeZone: ZONE,
      count: 3,
      at: AT,
      serviceId: heater.id,
    });
    expect(afterTimeOff[0]!.start).toBe('2030-01-15T17:00:00.000Z');
    // Ana is free on Tuesday at noon but does not do inspections; Ben is away.
    expect(await book(business.id, await lead(business.id), '2030-01-08T17:00:00.000Z', heater.id)).toEqual({
      ok: false,
      reason: 'slot_taken',
    });
    const leadId = await lead(business.id);
    const booked = await book(business.id, leadId, '2030-01-15T17:00:00.000Z', heater.id);
    expect(booked).toMatchObject({ ok: true, technicianName: 'Ben', end: '2030-01-15T18:30:00.000Z' });
    // Moving it: the search names no service, and offers the booked one's length with the people who do it.
    const moves = await activities.findSlots({ businessId: business.id, leadId, timeZone: ZONE, count: 3, at: AT });
    // Ben's afternoon after the booking and its 30-minute buffer, 90 minutes long.
    expect([moves[0]!.start, moves[0]!.end]).toEqual(['2030-01-15T19:00:00.000Z', '2030-01-15T20:30:00.000Z']);
    for (const s of moves) expect(Date.parse(s.end) - Date.parse(s.start)).toBe(90 * 60_000);
  });

  it('reads a technician’s Google calendar for busy times and writes their bookings there', async () => {
    const { business, technicians } = await businessWith([{ name: 'Ana Ruiz' }, { name: 'Ben Cole' }]);
    connected.add(business.id);
    await database.db.technician.update({
      where: { id: technicians[0]!.id },
      data: { calendar: 'google', googleCalendarId: 'ana@example.com' },
    });
    // Ana's own calendar is full on Monday morning; Ben (builtin) is free.
    googleFake.addBusy('ana@example.com', {
      start: new Date('2030-01-07T13:00:00Z'),
      end: new Date('2030-01-07T17:00:00Z'),
    });
    const first = await book(business.id, await lead(business.id), MONDAY_9);
    expect(first).toMatchObject({ ok: true, technicianName: 'Ben' });
    expect(await book(business.id, await lead(business.id), MONDAY_9)).toEqual({ ok: false, reason: 'slot_taken' });
    expect(googleFake.liveEvents('office@example.com')).toHaveLength(0);
    // On Tuesday Ana is free and less recently assigned: her booking lands in her calendar.
    const second = await book(business.id, await lead(business.id), '2030-01-08T14:00:00.000Z');
    expect(second).toMatchObject({ ok: true, technicianName: 'Ana' });
    const row = await database.db.appointment.findUniqueOrThrow({
      where: { id: (second as { appointmentId: string }).appointmentId },
    });
    expect(row).toMatchObject({
      calendar: 'google',
      externalCalendarId: 'ana@example.com',
      technicianId: technicians[0]!.id,
    });
    expect(googleFake.liveEvents('ana@example.com').map((e) => e.id)).toEqual([row.externalEventId]);
    await activities.cancelAppointment({ businessId: business.id, leadId: row.leadId, appointmentId: row.id });
    expect(googleFake.liveEvents('ana@example.com')).toHaveLength(0);
  });

  it('books from the business hours as before when the business has no active technician', async () => {
    const { business, technicians } = await businessWith([{ name: 'Ana Ruiz' }]);
    await database.db.technician.update({ where: { id: technicians[0]!.id }, data: { active: false } });
    const first = await book(business.id, await lead(business.id), MONDAY_9);
    expect(first.ok).toBe(true);
    expect(first).not.toHaveProperty('technicianName');
    expect(await book(business.id, await lead(business.id), MONDAY_9)).toEqual({ ok: false, reason: 'slot_taken' });
    const row = await database.db.appointment.findFirstOrThrow({ where: { businessId: business.id } });
    expect(row.technicianId).toBeNull();
  });
});
