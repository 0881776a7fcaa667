import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import type { CalendarResolver } from '../../activities/booking/booking-activities';
import { createLogger } from '../../logging/logger';
import { createTemplateWriter } from '../../providers/ai/template-writer';
import { createGoogleCalendarProvider } from '../../providers/calendar/google';
import { createLocalOutboxProvider } from '../../providers/sms/local-outbox';
import { leadWorkflowClient } from '../../services/leads/lead-workflow-client';
import { deleteTechnician } from '../../services/technicians/delete-technician';
import { startGoogleFake, type GoogleFake } from '../fakes/google-fake';
import { createBusiness } from '../support/business';
import { freshDatabase, type TestDatabase } from '../support/database';

const ZONE = 'America/New_York';
const WEEKDAYS = Object.fromEntries(
  ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ start: '08:00', end: '17:00' }]]),
);
/** "Now": Friday 2030-01-04 noon in New York. */
const AT = '2030-01-04T17:00:00.000Z';
const MONDAY_9 = '2030-01-07T14:00:00.000Z';
const TUESDAY_9 = '2030-01-08T14:00:00.000Z';

/**
 * Removing a technician on the real Postgres as the runtime role: their appointments still to
 * come change hands by the booking's rule and lock; their calendars on the Google fake.
 */
describe('removing a technician', () => {
  let database: TestDatabase;
  let googleFake: GoogleFake;
  let calendarFor: CalendarResolver;
  let activities: ReturnType<typeof createActivities>;
  const connected = new Set<string>();
  const started: Array<{ name: string; workflowId: string; args: unknown[]; workflowIdReusePolicy: unknown }> = [];
  const signalled: Array<{ workflowId: string; signal: string; args: unknown[] }> = [];
  // Temporal's client, recording the workflows it is asked to start and the signals it is asked to send.
  const temporal = {
    workflow: {
      start: async (name: string, opts: (typeof started)[number]) => {
        started.push({
          name,
          workflowId: opts.workflowId,
          args: opts.args,
          workflowIdReusePolicy: opts.workflowIdReusePolicy,
        });
        return {};
      },
      getHandle: (workflowId: string) => ({
        signal: async (def: { name: string }, ...args: unknown[]) => {
          signalled.push({ workflowId, signal: def.name, args });
        },
      }),
    },
  };
  const log = createLogger({ name: 'test', level: 'silent' });

  beforeAll(async () => {
    database = await freshDatabase();
    googleFake = await startGoogleFake({ refreshToken: 'refresh' });
    const calendar = createGoogleCalendarProvider({
      clientId: 'c.apps.googleusercontent.com',
      clientSecret: 's',
      refreshToken: 'refresh',
      apiBaseUrl: googleFake.url,
    });
    calendarFor = async (businessId) =>
      connected.has(businessId) ? { provider: calendar, calendarId: 'office@example.com' } : null;
    activities = createActivities({
      db: database.appDb,
      sms: createLocalOutboxProvider(),
      ai: null,
      templates: createTemplateWriter(),
      calendarFor,
      log,
    });
  });
  afterAll(async () => {
    await googleFake?.close();
    await database?.drop();
  });

  const remove = (businessId: string, id: string) =>
    deleteTechnician(
      {
        db: database.appDb,
        now: () => new Date(AT),
        log,
        calendarFor,
        alerts: { temporal: temporal as never, taskQueue: 'removal-test' },
        leads: leadWorkflowClient({ temporal: temporal as never, taskQueue: 'removal-test' }),
      },
      { actor: { keyId: randomUUID(), businessId, role: 'owner', ip: '127.0.0.1' }, id },
    );

  async function businessWith(people: Array<{ name: string; services?: string[] }>) {
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
          weeklyHours: WEEKDAYS,
          createdAt: new Date(Date.UTC(2029, 0, 1, 0, i)),
        },
      });
      const names = p.services ?? services.map((s) => s.name);
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
    const phone = `+1212555${String(1000 + Math.floor(Math.random() * 8999))}`;
    await database.db.lead.create({ data: { id, businessId, name: 'Pat Doe', phone } });
    return { id, phone };
  }

  const book = async (businessId: string, start: string, serviceId?: string) => {
    const booked = await activities.bookAppointment({
      businessId,
      leadId: (await lead(businessId)).id,
      start,
      timeZone: ZONE,
      at: AT,
      appointmentId: randomUUID(),
      ...(serviceId ? { serviceId } : {}),
    });
    if (!booked.ok) throw new Error(`not booked: ${booked.reason}`);
    return database.db.appointment.findUniqueOrThrow({ where: { id: booked.appointmentId } });
  };

  it('hands a future appointment to the other qualified person, event and all; the past one stays as it was', async () => {
    const { business, services, technicians } = await businessWith([{ name: 'Ana Ruiz' }, { name: 'Ben Cole' }]);
    const [ana, ben] = technicians;
    connected.add(business.id);
    for (const [t, calendarId] of [
      [ana!, 'ana@example.com'],
      [ben!, 'ben@example.com'],
    ] as const)
      await database.db.technician.update({
        where: { id: t.id },
        data: { calendar: 'google', googleCalendarId: calendarId },
      });
    // Ana, first and least recently assigned, gets the booking, in her calendar.
    const future = await book(business.id, MONDAY_9, services[0]!.id);
    expect(future).toMatchObject({ technicianId: ana!.id, externalCalendarId: 'ana@example.com' });
    const past = await database.db.appointment.create({
      data: {
        businessId: business.id,
        leadId: (await lead(business.id)).id,
        serviceId: services[0]!.id,
        technicianId: ana!.id,
        startsAt: new Date('2030-01-02T14:00:00Z'),
        endsAt: new Date('2030-01-02T15:00:00Z'),
        status: 'completed',
      },
    });

    expect(await remove(business.id, ana!.id)).toEqual({ reassigned: 1, unassigned: 0 });

    const moved = await database.db.appointment.findUniqueOrThrow({ where: { id: future.id } });
    expect(moved).toMatchObject({
      status: 'booked',
      technicianId: ben!.id,
      startsAt: future.startsAt,
      calendar: 'google',
      externalCalendarId: 'ben@example.com',
    });
    // The lead's workflow hears who now takes the visit: Ben's first name only.
    expect(signalled.filter((x) => x.workflowId === `lead-${future.leadId}`)).toEqual([
      {
        workflowId: `lead-${future.leadId}`,
        signal: 'technicianChanged',
        args: [{ leadId: future.leadId, appointmentId: future.id, technicianName: 'Ben' }],
      },
    ]);
    expect(googleFake.liveEvents('ana@example.com')).toHaveLength(0);
    expect(googleFake.liveEvents('ben@example.com').map((e) => e.id)).toEqual([moved.externalEventId]);
    expect((await database.db.technician.findUniqueOrThrow({ where: { id: ben!.id } })).lastAssignedAt).toEqual(
      new Date(AT),
    );
    // The foreign key lets a past appointment keep no person once theirs is gone; it is otherwise untouched.
    expect(await database.db.appointment.findUniqueOrThrow({ where: { id: past.id } })).toMatchObject({
      status: 'completed',
      technicianId: null,
      startsAt: past.startsAt,
    });
    expect(await database.db.technician.count({ where: { id: ana!.id } })).toBe(0);
    expect(await database.db.alert.count({ where: { businessId: business.id } })).toBe(0);
  });

  it('hands over on the business’s shared calendar: its own event does not keep the next person busy', async () => {
    const { business, technicians } = await businessWith([{ name: 'Ana Ruiz' }, { name: 'Ben Cole' }]);
    const [ana, ben] = technicians;
    connected.add(business.id);
    // Google people without a calendar of their own share the business's.
    await database.db.technician.updateMany({ where: { businessId: business.id }, data: { calendar: 'google' } });
    const future = await book(business.id, TUESDAY_9);
    expect(future).toMatchObject({ technicianId: ana!.id, externalCalendarId: 'office@example.com' });
    // On Wednesday at 9 Ben has a visit of his own, so that one of Ana's goes nowhere.
    const WEDNESDAY_9 = '2030-01-09T14:00:00.000Z';
    await database.db.appointment.create({
      data: {
        businessId: business.id,
        leadId: (await lead(business.id)).id,
        technicianId: ben!.id,
        startsAt: new Date(WEDNESDAY_9),
        endsAt: new Date('2030-01-09T15:00:00.000Z'),
      },
    });
    const other = await book(business.id, WEDNESDAY_9);
    expect(other).toMatchObject({ technicianId: ana!.id, externalCalendarId: 'office@example.com' });

    expect(await remove(business.id, ana!.id)).toEqual({ reassigned: 1, unassigned: 1 });

    const moved = await database.db.appointment.findUniqueOrThrow({ where: { id: future.id } });
    expect(moved).toMatchObject({ technicianId: ben!.id, externalCalendarId: 'office@example.com' });
    expect(await database.db.appointment.findUniqueOrThrow({ where: { id: other.id } })).toMatchObject({
      technicianId: null,
    });
    expect(
      googleFake
        .liveEvents('office@example.com')
        .map((e) => e.id)
        .sort(),
    ).toEqual([moved.externalEventId, other.externalEventId].sort());
  });

  it('leaves what nobody can take booked and unassigned, with one alert each naming its time and service only', async () => {
    // Only Ana does water heater inspections; Ben does drains and is busy on Tuesday at 9.
    const { business, services, technicians } = await businessWith([
      { name: 'Ana Ruiz' },
      { name: 'Ben Cole', services: ['Drain cleaning'] },
    ]);
    const [ana, ben] = technicians;
    const [drain, heater] = services;
    const inspection = await book(business.id, MONDAY_9, heater!.id);
    // Both take a drain cleaning on Tuesday at 9 (Ben first: he had less that week).
    const drains = [await book(business.id, TUESDAY_9, drain!.id), await book(business.id, TUESDAY_9, drain!.id)];
    expect(drains.map((d) => d.technicianId)).toEqual([ben!.id, ana!.id]);
    const [drainBen, drainAna] = drains as [(typeof drains)[number], (typeof drains)[number]];
    expect(inspection.technicianId).toBe(ana!.id);
    const leads = await database.db.lead.findMany({ where: { businessId: business.id } });

    expect(await remove(business.id, ana!.id)).toEqual({ reassigned: 0, unassigned: 2 });

    for (const id of [inspection.id, drainAna.id])
      expect(await database.db.appointment.findUniqueOrThrow({ where: { id } })).toMatchObject({
        status: 'booked',
        technicianId: null,
      });
    expect(await database.db.appointment.findUniqueOrThrow({ where: { id: drainBen.id } })).toMatchObject({
      technicianId: ben!.id,
    });
    const alerts = await database.db.alert.findMany({
      where: { businessId: business.id },
      orderBy: { createdAt: 'asc' },
    });
    expect(
      alerts
        .map((a) => ({ kind: a.kind, leadId: a.leadId, detail: a.detail }))
        .sort((a, b) =>
          String((a.detail as { startsAt: string }).startsAt).localeCompare(
            (b.detail as { startsAt: string }).startsAt,
          ),
        ),
    ).toEqual([
      {
        kind: 'appointment_unassigned',
        leadId: inspection.leadId,
        detail: {
          appointmentId: inspection.id,
          startsAt: MONDAY_9,
          serviceId: heater!.id,
          serviceName: 'Water heater inspection',
        },
      },
      {
        kind: 'appointment_unassigned',
        leadId: drainAna.leadId,
        detail: {
          appointmentId: drainAna.id,
          startsAt: TUESDAY_9,
          serviceId: drain!.id,
          serviceName: 'Drain cleaning',
        },
      },
    ]);
    // Each goes out on the business's channels through one alert workflow, named after its event and never
    // started twice (its SMS, email and webhook: test/workflows/technician-removal-leads.test.ts).
    const starts = started.filter((x) =>
      alerts.some(
        (a) =>
          x.workflowId ===
          `alert-technician-removed-${ana!.id}-${(a.detail as { appointmentId: string }).appointmentId}`,
      ),
    );
    expect(starts).toHaveLength(2);
    for (const start of starts) {
      expect(start).toMatchObject({ name: 'alertWorkflow', workflowIdReusePolicy: 'REJECT_DUPLICATE' });
      const alert = alerts.find((a) => `${start.workflowId}:alert:raise` === a.eventId)!;
      expect(start.args).toEqual([
        { businessId: business.id, kind: alert.kind, leadId: alert.leadId, detail: alert.detail },
      ]);
    }
    // Both leads' workflows hear that nobody is named for their visit now; Ben's own lead hears nothing.
    for (const appointment of [inspection, drainAna])
      expect(signalled.filter((x) => x.workflowId === `lead-${appointment.leadId}`)).toEqual([
        {
          workflowId: `lead-${appointment.leadId}`,
          signal: 'technicianChanged',
          args: [{ leadId: appointment.leadId, appointmentId: appointment.id, technicianName: null }],
        },
      ]);
    expect(signalled.filter((x) => x.workflowId === `lead-${drainBen.leadId}`)).toEqual([]);
    const told = JSON.stringify([alerts, starts]);
    for (const l of leads) {
      expect(told).not.toContain(l.phone);
      expect(told).not.toContain(l.name);
    }
  });

  it('never double-books the person taking over when a lead books their time during the removal', async () => {
    for (let round = 0; round < 4; round++) {
      const { business, services, technicians } = await businessWith([{ name: 'Ana Ruiz' }, { name: 'Ben Cole' }]);
      const [ana, ben] = technicians;
      const held = await book(business.id, MONDAY_9, services[0]!.id);
      expect(held.technicianId).toBe(ana!.id);
      // Ben is the only one free at Monday 9: the removal and a new lead both want him.
      const [removal, booked] = await Promise.all([
        remove(business.id, ana!.id),
        activities.bookAppointment({
          businessId: business.id,
          leadId: (await lead(business.id)).id,
          start: MONDAY_9,
          serviceId: services[0]!.id,
          timeZone: ZONE,
          at: AT,
          appointmentId: randomUUID(),
        }),
      ]);
      const bens = await database.db.appointment.findMany({
        where: { technicianId: ben!.id, status: 'booked', startsAt: new Date(MONDAY_9) },
      });
      expect(bens).toHaveLength(1);
      // Whoever came first has him; the other is told so.
      if (booked.ok) expect(removal).toEqual({ reassigned: 0, unassigned: 1 });
      else expect([booked.reason, removal]).toEqual(['slot_taken', { reassigned: 1, unassigned: 0 }]);
      const unassigned = await database.db.appointment.findMany({
        where: { businessId: business.id, status: 'booked', technicianId: null },
      });
      expect(unassigned).toHaveLength(removal.unassigned);
    }
  });
});
