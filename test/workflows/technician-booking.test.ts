import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmentsOf } from '../../domain/reply-check';
import { jobUpdate, leadWorkflowId } from '../../workflows/lead/definitions';
import { createBusiness } from '../support/business';
import { skipTo } from '../support/clock';
import { createLeadHarness, type LeadHarness } from '../support/lead-harness';

const NY = 'America/New_York';
const WEEKDAYS = Object.fromEntries(
  ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ start: '08:00', end: '17:00' }]]),
);

/**
 * A lead's words choose the service: its length is the slot's, and a technician who does it
 * is assigned; words that fit several services (or none) get the question which one.
 */
describe('lead workflow: services and technicians', () => {
  let h: LeadHarness;
  beforeAll(async () => {
    h = await createLeadHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const handle = (leadId: string) => h.env.client.workflow.getHandle(leadWorkflowId(leadId));
  const lastText = async (leadId: string) => (await h.outbox(leadId)).at(-1)?.body;

  /** The test business's drain cleaning and inspection, a 3-hour install, Marco (install, inspection) and Lena (drains). */
  async function plumbingTeam() {
    const business = await createBusiness(h.database.db);
    const db = h.database.db;
    const services = await db.service.findMany({ where: { businessId: business.id } });
    const install = await db.service.create({
      data: {
        businessId: business.id,
        name: 'Water heater install',
        durationMinutes: 180,
        keywords: ['instalar calentador'],
      },
    });
    const inspection = services.find((s) => s.name === 'Water heater inspection')!;
    const drain = services.find((s) => s.name === 'Drain cleaning')!;
    const marco = await db.technician.create({
      data: { businessId: business.id, name: 'Marco Diaz', weeklyHours: WEEKDAYS },
    });
    const lena = await db.technician.create({
      data: { businessId: business.id, name: 'Lena Park', weeklyHours: WEEKDAYS },
    });
    await db.technicianService.createMany({
      data: [
        { businessId: business.id, technicianId: marco.id, serviceId: install.id },
        { businessId: business.id, technicianId: marco.id, serviceId: inspection.id },
        { businessId: business.id, technicianId: lena.id, serviceId: drain.id },
      ],
    });
    return { business, install, inspection, drain, marco, lena };
  }

  async function answered(businessId: string, leadId: string, phone: string, body: string) {
    const before = (await h.outbox(leadId)).length;
    await h.text({ businessId, from: phone, body });
    await expect.poll(async () => (await h.outbox(leadId)).length, { timeout: 20_000 }).toBeGreaterThan(before);
  }

  it('offers a water heater install’s 3-hour slots and books it with a technician who does installs', async () => {
    const { business, install, marco } = await plumbingTeam();
    await skipTo(h.env, { zone: NY, weekday: 2, hour: 10 });
    const phone = '+12125550181';
    const { leadId } = await h.startLead({ businessId: business.id, lead: { phone } });
    await expect.poll(async () => (await h.outbox(leadId)).length, { timeout: 20_000 }).toBe(1);

    await answered(business.id, leadId, phone, "I'd like to book a water heater install");
    const { offer, status } = await h.state(leadId);
    expect(status).toBe('offered');
    expect(offer!.serviceId).toBe(install.id);
    expect(offer!.slots.length).toBeGreaterThan(0);
    for (const slot of offer!.slots) expect(Date.parse(slot.end) - Date.parse(slot.start)).toBe(180 * 60_000);

    await answered(business.id, leadId, phone, '1');
    const { booking } = await h.state(leadId);
    expect(booking).toMatchObject({ start: offer!.slots[0]!.start, technicianName: 'Marco' });
    expect(await lastText(leadId)).toMatch(/^You're booked with /);
    const row = await h.database.db.appointment.findUniqueOrThrow({ where: { id: booking!.appointmentId } });
    expect(row).toMatchObject({ serviceId: install.id, technicianId: marco.id });
    expect(row.endsAt.getTime() - row.startsAt.getTime()).toBe(180 * 60_000);

    // The job names the assigned technician unless the one who goes says otherwise.
    const onMyWay = await handle(leadId).executeUpdate(jobUpdate, { args: [{ status: 'en_route', etaMinutes: 20 }] });
    expect(onMyWay).toMatchObject({ ok: true, job: { technicianName: 'Marco' } });
    expect(await lastText(leadId)).toBe(`Marco from ${business.name} is on the way, arriving in about 20 min.`);
  });

  it('asks which service when the words fit several, then offers the one named in the answer', async () => {
    const { business, inspection } = await plumbingTeam();
    await skipTo(h.env, { zone: NY, weekday: 3, hour: 10 });
    const phone = '+12125550182';
    const { leadId } = await h.startLead({ businessId: business.id, lead: { phone } });
    await expect.poll(async () => (await h.outbox(leadId)).length, { timeout: 20_000 }).toBe(1);

    await answered(business.id, leadId, phone, 'Can someone come out and look at my water heater?');
    const question = (await lastText(leadId))!;
    // The business's services, in its order, as a list a lead can answer from.
    expect(question.startsWith(`${business.name}: happy to help! Which service do you need: `)).toBe(true);
    expect(question).toMatch(/need: [^,]+, [^,]+ or [^,]+\?$/);
    for (const name of ['Drain cleaning', 'Water heater inspection', 'Water heater install'])
      expect(question).toContain(name);
    expect(segmentsOf(question)).toBeLessThanOrEqual(2);
    expect(await h.state(leadId)).toMatchObject({ serviceQuestion: true, offer: null });

    await answered(business.id, leadId, phone, 'the inspection please');
    const state = await h.state(leadId);
    expect(state).toMatchObject({ status: 'offered', serviceQuestion: false });
    expect(state.offer!.serviceId).toBe(inspection.id);
    for (const slot of state.offer!.slots) expect(Date.parse(slot.end) - Date.parse(slot.start)).toBe(90 * 60_000);
  });

  it('asks in Spanish a lead who writes in Spanish, within two segments', async () => {
    const { business, drain } = await plumbingTeam();
    await skipTo(h.env, { zone: NY, weekday: 4, hour: 10 });
    const phone = '+12125550183';
    const { leadId } = await h.startLead({ businessId: business.id, lead: { phone, language: 'es' } });
    await expect.poll(async () => (await h.outbox(leadId)).length, { timeout: 20_000 }).toBe(1);

    await answered(business.id, leadId, phone, 'Quiero una cita, por favor');
    const question = (await lastText(leadId))!;
    expect(question.startsWith(`${business.name}: ¡con gusto! ¿Qué servicio necesita: `)).toBe(true);
    expect(question).toMatch(/necesita: [^,]+, [^,]+ o [^,]+\?$/);
    expect(question).toContain('Drain cleaning');
    expect(segmentsOf(question)).toBeLessThanOrEqual(2);

    await answered(business.id, leadId, phone, 'drain cleaning');
    expect((await h.state(leadId)).offer!.serviceId).toBe(drain.id);
  });
});
