import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmentsOf } from '../../domain/reply-check';
import {
  appointmentOutcomeUpdate,
  bookSlotUpdate,
  jobUpdate,
  leadWorkflowId,
  type CapturedLead,
} from '../../workflows/lead/definitions';
import { createBusiness } from '../support/business';
import { skipTo } from '../support/clock';
import { createLeadHarness, type LeadHarness } from '../support/lead-harness';

const NY = 'America/New_York';

/**
 * The booked visit as a job: the technician marks it on the way, started and finished
 * through the workflow's jobUpdate; "on my way" and the thank-you reach the lead in its
 * language, never after STOP, and a move the job cannot make is refused naming its status.
 */
describe('lead workflow: job updates', () => {
  let h: LeadHarness;
  beforeAll(async () => {
    h = await createLeadHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const handle = (leadId: string) => h.env.client.workflow.getHandle(leadWorkflowId(leadId));
  const kinds = async (leadId: string) => (await h.outbox(leadId)).map((m) => m.kind);
  const refusal = (err: unknown) =>
    err instanceof WorkflowUpdateFailedError
      ? (err.cause as { type?: string; details?: unknown[] } | undefined)
      : { type: String(err), details: [] };

  /** A lead with three offered slots, booked into the first. */
  async function bookedLead(businessId: string, lead: Partial<CapturedLead>) {
    const { leadId } = await h.startLead({ businessId, lead });
    await expect.poll(async () => (await h.outbox(leadId)).length, { timeout: 20_000 }).toBe(1);
    const spanish = lead.language === 'es';
    await h.text({
      businessId,
      from: lead.phone!,
      body: spanish ? 'Necesito una cita, ¿qué tienen el jueves?' : 'When can someone come by?',
    });
    await expect.poll(async () => (await h.state(leadId)).status, { timeout: 20_000 }).toBe('offered');
    const slots = (await h.state(leadId)).offer!.slots;
    const booked = await handle(leadId).executeUpdate(bookSlotUpdate, { args: [{ start: slots[0]!.start }] });
    expect(booked.ok).toBe(true);
    await expect.poll(() => kinds(leadId), { timeout: 20_000 }).toContain('confirmation');
    return { leadId, booking: (await h.state(leadId)).booking! };
  }

  it('booking → en route (name and ETA texted) → in progress → finished (thank-you; the appointment settles)', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: 2, hour: 10 });
    const { leadId, booking } = await bookedLead(business.id, { phone: '+12125550191' });
    expect((await h.state(leadId)).job ?? null).toBeNull();

    const onMyWay = await handle(leadId).executeUpdate(jobUpdate, {
      args: [{ status: 'en_route', etaMinutes: 25, technicianName: 'Maria Lopez' }],
    });
    expect(onMyWay).toMatchObject({
      ok: true,
      job: { appointmentId: booking.appointmentId, status: 'en_route', etaMinutes: 25, technicianName: 'Maria Lopez' },
    });
    let texts = await h.outbox(leadId);
    const enRoute = texts.at(-1)!;
    expect(enRoute.body).toBe(`Maria from ${business.name} is on the way, arriving in about 25 min.`);
    expect(enRoute.idempotencyKey).toContain(`job-en_route-${booking.appointmentId}`);

    const started = await handle(leadId).executeUpdate(jobUpdate, { args: [{ status: 'in_progress' }] });
    expect(started).toMatchObject({ ok: true, job: { status: 'in_progress', technicianName: 'Maria Lopez' } });
    expect(await h.outbox(leadId)).toHaveLength(texts.length);

    const finished = await handle(leadId).executeUpdate(jobUpdate, {
      args: [{ status: 'finished', amountCents: 18_500 }],
    });
    expect(finished).toMatchObject({ ok: true, job: { status: 'finished', amountCents: 18_500, etaMinutes: 25 } });
    texts = await h.outbox(leadId);
    expect(texts.at(-1)!.body).toMatch(new RegExp(`^Thanks for choosing ${business.name}! Your job is finished\\.`));
    const state = await h.state(leadId);
    expect(state).toMatchObject({ status: 'completed', booking: null, job: { status: 'finished' } });
    const row = await h.database.db.appointment.findUniqueOrThrow({ where: { id: booking.appointmentId } });
    expect(row.status).toBe('completed');
    // Settled now: no reminder or settle step of that appointment is left.
    expect(state.nextAction?.kind).not.toMatch(/^reminder_|settle/);

    // The business's systems hear of each change; its own phone and inbox channels are not texted about them.
    const alerts = await h.database.db.alert.findMany({ where: { leadId, kind: 'job_updated' } });
    expect(alerts.map((a) => (a.detail as { status: string }).status).sort()).toEqual([
      'en_route',
      'finished',
      'in_progress',
    ]);
    // The business's contact phone is set (createBusiness): still no alert SMS or email about its own updates.
    await expect
      .poll(
        async () =>
          (await h.database.db.alertDelivery.findMany({ where: { alertId: { in: alerts.map((a) => a.id) } } })).map(
            (d) => d.channel,
          ),
        { timeout: 20_000 },
      )
      .toEqual(['webhook', 'webhook', 'webhook']);
  });

  it('refuses a move the job cannot make, naming its status, before it reaches the history', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: 3, hour: 10 });
    const { leadId } = await bookedLead(business.id, { phone: '+12125550192' });
    const early = await handle(leadId)
      .executeUpdate(jobUpdate, { args: [{ status: 'finished' }] })
      .catch((e: unknown) => e);
    expect(refusal(early)).toMatchObject({ type: 'invalid_transition', details: ['scheduled'] });
    await handle(leadId).executeUpdate(jobUpdate, { args: [{ status: 'in_progress' }] });
    const back = await handle(leadId)
      .executeUpdate(jobUpdate, { args: [{ status: 'en_route', etaMinutes: 5 }] })
      .catch((e: unknown) => e);
    expect(refusal(back)).toMatchObject({ type: 'invalid_transition', details: ['in_progress'] });
    expect((await h.state(leadId)).job).toMatchObject({ status: 'in_progress' });
    const history = await handle(leadId).fetchHistory();
    const accepted = history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes) ?? [];
    // The booking and the one valid job update.
    expect(accepted).toHaveLength(2);

    const { leadId: unbooked } = await h.startLead({ businessId: business.id, lead: { phone: '+12125550193' } });
    const none = await handle(unbooked)
      .executeUpdate(jobUpdate, { args: [{ status: 'en_route' }] })
      .catch((e: unknown) => e);
    expect(refusal(none)).toMatchObject({ type: 'no_job' });
  });

  it('texts nothing about the job after STOP; the status still changes', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: 4, hour: 10 });
    const phone = '+12125550194';
    const { leadId } = await bookedLead(business.id, { phone });
    await h.text({ businessId: business.id, from: phone, body: 'STOP' });
    await expect.poll(() => kinds(leadId), { timeout: 20_000 }).toContain('opt_out_confirmation');
    const sent = (await kinds(leadId)).length;

    for (const update of [
      { status: 'en_route', etaMinutes: 15, technicianName: 'Sam' },
      { status: 'in_progress' },
      { status: 'finished' },
    ] as const)
      expect(await handle(leadId).executeUpdate(jobUpdate, { args: [update] })).toMatchObject({
        ok: true,
        job: { status: update.status },
      });
    await h.settle(500);
    expect(await kinds(leadId)).toHaveLength(sent);
    expect(await h.database.db.message.count({ where: { leadId, direction: 'outbound' } })).toBe(sent);
    expect((await h.state(leadId)).job).toMatchObject({ status: 'finished' });
  });

  it('texts a Spanish lead in Spanish, within two segments', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: 2, hour: 11 });
    const { leadId } = await bookedLead(business.id, { phone: '+12125550195', language: 'es' });
    await handle(leadId).executeUpdate(jobUpdate, {
      args: [{ status: 'en_route', etaMinutes: 40, technicianName: 'José Ramírez' }],
    });
    const enRoute = (await h.outbox(leadId)).at(-1)!.body;
    expect(enRoute).toBe(`Buenas noticias: José de ${business.name} va en camino y llegará en unos 40 min.`);
    await handle(leadId).executeUpdate(jobUpdate, { args: [{ status: 'in_progress' }] });
    await handle(leadId).executeUpdate(jobUpdate, { args: [{ status: 'finished' }] });
    const thanks = (await h.outbox(leadId)).at(-1)!.body;
    expect(thanks).toMatch(new RegExp(`^¡Gracias por elegir a ${business.name}! Su trabajo quedó terminado\\.`));
    for (const text of [enRoute, thanks]) expect(segmentsOf(text)).toBeLessThanOrEqual(2);
  });
  it('a no-show ends the job as no_show: no finished text, no invoice, no review request', async () => {
    const business = await createBusiness(h.database.db, { reviewUrl: 'https://g.page/r/rivera-review' });
    await skipTo(h.env, { zone: NY, weekday: 2, hour: 10 });
    const { leadId, booking } = await bookedLead(business.id, { phone: '+12125550197' });
    await h.sleep(Date.parse(booking.start) - (await h.env.currentTimeMs()) + 10 * 60_000);
    const marked = await handle(leadId).executeUpdate(appointmentOutcomeUpdate, { args: [{ outcome: 'no_show' }] });
    expect(marked).toMatchObject({ ok: true, status: 'no_show' });
    expect((await h.state(leadId)).job).toMatchObject({ appointmentId: booking.appointmentId, status: 'no_show' });
    const refused = await handle(leadId)
      .executeUpdate(jobUpdate, { args: [{ status: 'finished', amountCents: 18_500 }] })
      .catch((e: unknown) => e);
    expect(refusal(refused)).toMatchObject({ type: 'invalid_transition' });

    await h.settle();
    await h.sleep('4 days');
    await h.settle();
    const bodies = (await h.outbox(leadId)).map((m) => m.body);
    expect(bodies.some((b) => b.includes('https://g.page/r/rivera-review'))).toBe(false);
    expect(await h.database.db.jobInvoice.count({ where: { leadId } })).toBe(0);
    expect((await h.state(leadId)).job).toMatchObject({ status: 'no_show' });
  });
});
