import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../logging/logger';
import { createLocalOutboxProvider } from '../../providers/sms/local-outbox';
import type { SmsProvider } from '../../providers/sms/sms-provider';
import { leadWorkflowClient } from '../../services/leads/lead-workflow-client';
import { deleteTechnician } from '../../services/technicians/delete-technician';
import { startUnassignedAlerts } from '../../services/technicians/unassigned-appointment-alert';
import { ALERT_REASONS } from '../../services/alerts/alert-kinds';
import { alertWorkflowId } from '../../workflows/alerts/definitions';
import { jobOf } from '../../workflows/lead/job';
import { bookSlotUpdate, jobUpdate, leadWorkflowId } from '../../workflows/lead/definitions';
import { createBusiness } from '../support/business';
import { localNow, skipTo } from '../support/clock';
import { createLeadHarness, type LeadHarness } from '../support/lead-harness';

const NY = 'America/New_York';
const WEEKDAYS = Object.fromEntries(
  ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ start: '08:00', end: '17:00' }]]),
);

/**
 * Removing a technician on Temporal's time-skipping server with the real lead workflows and
 * the real alert workflow: each affected lead's workflow names who now takes the visit (or
 * nobody), and the unassigned visit's alert reaches the business's phone once.
 */
describe('removing a technician: the leads’ workflows and the alert', () => {
  let h: LeadHarness;
  /** The carrier's side of every text (the local outbox underneath). */
  const carrier: Array<{ to: string; body: string }> = [];

  beforeAll(async () => {
    const local = createLocalOutboxProvider();
    const sms: SmsProvider = {
      ...local,
      async send(message) {
        carrier.push({ to: message.to, body: message.body });
        return local.send(message);
      },
    };
    h = await createLeadHarness({ sms });
  });
  afterAll(async () => {
    await h?.close();
  });

  const handle = (leadId: string) => h.env.client.workflow.getHandle(leadWorkflowId(leadId));
  const lastText = async (leadId: string) => (await h.outbox(leadId)).at(-1)?.body;

  it('names the new person in the lead’s job and "on my way", nobody where nobody took it, and alerts the business’s phone once', async () => {
    const db = h.database.db;
    const business = await createBusiness(db);
    const services = await db.service.findMany({ where: { businessId: business.id } });
    const person = async (name: string) => {
      const t = await db.technician.create({ data: { businessId: business.id, name, weeklyHours: WEEKDAYS } });
      await db.technicianService.createMany({
        data: services.map((s) => ({ businessId: business.id, technicianId: t.id, serviceId: s.id })),
      });
      return t;
    };
    const ana = await person('Ana Ruiz');
    await skipTo(h.env, { zone: NY, weekday: 5, hour: 12 });
    const monday = (await localNow(h.env, NY)).plus({ days: 3 }).startOf('day');
    const at = (hour: number) => monday.set({ hour }).toUTC().toISO()!;

    // Three leads booked with Ana on Monday: at 9 (she sets out early), at 11, and at 14.
    const booked = [];
    for (const [i, hour] of [9, 11, 14].entries()) {
      const { leadId } = await h.startLead({ businessId: business.id, lead: { phone: `+1212555016${i}` } });
      await expect.poll(async () => (await h.outbox(leadId)).length, { timeout: 20_000 }).toBe(1);
      const result = await handle(leadId).executeUpdate(bookSlotUpdate, { args: [{ start: at(hour) }] });
      expect(result).toMatchObject({ ok: true, booking: { start: at(hour), technicianName: 'Ana' } });
      booked.push({ leadId, appointmentId: (result as { booking: { appointmentId: string } }).booking.appointmentId });
    }
    const [early, moved, left] = booked as [(typeof booked)[number], (typeof booked)[number], (typeof booked)[number]];
    await handle(early.leadId).executeUpdate(jobUpdate, { args: [{ status: 'en_route', etaMinutes: 20 }] });
    expect(await lastText(early.leadId)).toBe(`Ana from ${business.name} is on the way, arriving in about 20 min.`);

    // Ben joins, away on Monday from 13:00 to 16:00: he can take 9 and 11, not 14.
    const ben = await person('Ben Cole');
    await db.technicianTimeOff.create({
      data: {
        businessId: business.id,
        technicianId: ben.id,
        startsAt: new Date(at(13)),
        endsAt: new Date(at(16)),
      },
    });

    const alerts = { temporal: h.env.client, taskQueue: h.taskQueue };
    const now = new Date(await h.env.currentTimeMs());
    const removal = await deleteTechnician(
      {
        db: h.database.appDb,
        now: () => now,
        log: createLogger({ name: 'test', level: 'silent' }),
        calendarFor: async () => null,
        alerts,
        leads: leadWorkflowClient({ temporal: h.env.client, taskQueue: h.taskQueue }),
      },
      { actor: { keyId: randomUUID(), businessId: business.id, role: 'owner', ip: '127.0.0.1' }, id: ana.id },
    );
    expect(removal).toEqual({ reassigned: 2, unassigned: 1 });

    // The visit handed to Ben names Ben; the one nobody took names nobody; the one Ana set out for keeps her job.
    await expect.poll(async () => (await h.state(moved.leadId)).booking?.technicianName).toBe('Ben');
    expect(jobOf(await h.state(moved.leadId))).toMatchObject({ status: 'scheduled', technicianName: 'Ben' });
    await expect.poll(async () => (await h.state(left.leadId)).booking).not.toHaveProperty('technicianName');
    expect(jobOf(await h.state(left.leadId))).not.toHaveProperty('technicianName');
    await expect.poll(async () => (await h.state(early.leadId)).booking?.technicianName).toBe('Ben');
    expect(jobOf(await h.state(early.leadId))).toMatchObject({ status: 'en_route', technicianName: 'Ana' });

    // "On my way" without a name texts the person now assigned, or no one by name.
    await handle(moved.leadId).executeUpdate(jobUpdate, { args: [{ status: 'en_route', etaMinutes: 15 }] });
    expect(await lastText(moved.leadId)).toBe(`Ben from ${business.name} is on the way, arriving in about 15 min.`);
    await handle(left.leadId).executeUpdate(jobUpdate, { args: [{ status: 'en_route', etaMinutes: 15 }] });
    expect(await lastText(left.leadId)).toBe(
      `Your technician from ${business.name} is on the way, arriving in about 15 min.`,
    );

    // The unassigned visit's alert: one inbox row, and one SMS to the business's alert phone,
    // even when the deletion's start of its alert workflow is retried.
    const alertId = alertWorkflowId(`technician-removed-${ana.id}-${left.appointmentId}`);
    // (The owner's phone also got each booking's alert.)
    const toOwner = () =>
      carrier.filter((m) => m.to === business.contactPhone && m.body.includes(ALERT_REASONS.appointment_unassigned));
    await expect.poll(async () => toOwner().length, { timeout: 20_000 }).toBe(1);
    const [stored] = await db.alert.findMany({ where: { businessId: business.id, kind: 'appointment_unassigned' } });
    const firstRun = (await h.env.client.workflow.getHandle(alertId).describe()).runId;
    await startUnassignedAlerts(alerts, [
      {
        workflowId: alertId,
        alert: { businessId: business.id, kind: 'appointment_unassigned', leadId: left.leadId, detail: {} },
      },
    ]);
    await h.settle();
    expect((await h.env.client.workflow.getHandle(alertId).describe()).runId).toBe(firstRun);
    expect(toOwner()).toEqual([
      {
        to: business.contactPhone,
        body: `${business.name}: ${ALERT_REASONS.appointment_unassigned} (lead ${left.leadId}, alert ${stored!.id}).`,
      },
    ]);
    expect(await db.alert.count({ where: { businessId: business.id, kind: 'appointment_unassigned' } })).toBe(1);
    expect(stored!.detail).toMatchObject({ appointmentId: left.appointmentId, startsAt: at(14) });
    const deliveries = await db.alertDelivery.findMany({ where: { alertId: stored!.id }, orderBy: { channel: 'asc' } });
    expect(deliveries.map((d) => [d.channel, d.status])).toEqual([
      ['sms', 'sent'],
      ['webhook', 'skipped'],
    ]);
  });
});
