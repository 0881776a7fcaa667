import Stripe from 'stripe';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { segmentsOf } from '../../domain/reply-check';
import { createLogger } from '../../logging/logger';
import { createStripeClient } from '../../services/invoices/stripe-client';
import {
  bookSlotUpdate,
  invoicePaidSignal,
  jobUpdate,
  leadWorkflowId,
  stopReviewRequestSignal,
  type CapturedLead,
} from '../../workflows/lead/definitions';
import { startStripeFake, type StripeFake } from '../fakes/stripe-fake';
import { createBusiness } from '../support/business';
import { localNow, skipTo } from '../support/clock';
import { createLeadHarness, type LeadHarness } from '../support/lead-harness';

const NY = 'America/New_York';
const WEBHOOK_SECRET = 'whsec_invoice_review_test';
const ACCOUNT = 'acct_1RiveraPlumbing';
const REVIEW_URL = 'https://g.page/r/rivera-plumbing/review';

/**
 * After the job: the invoice on the business's Stripe account (a Stripe-speaking fake), its
 * link and reminders, the payment through the real signed webhook route, the thank-you, the
 * review request and its reminder; STOP, a reply and the business end what is pending.
 */
describe('lead workflow: invoice and review request', () => {
  let h: LeadHarness;
  let fake: StripeFake;
  let app: ReturnType<typeof createApp>;
  const signer = new Stripe('sk_test_signer');

  beforeAll(async () => {
    fake = await startStripeFake();
    h = await createLeadHarness({ stripe: createStripeClient({ secretKey: 'sk_test_fake', apiBaseUrl: fake.url }) });
    app = createApp({
      db: h.database.appDb,
      temporal: h.env.client,
      log: createLogger({ name: 'test', level: 'silent' }),
      taskQueue: h.taskQueue,
      settings: { stripeWebhookSecret: WEBHOOK_SECRET, stripeSecretKey: 'sk_test_fake', stripeApiBaseUrl: fake.url },
    });
  });
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });

  const handle = (leadId: string) => h.env.client.workflow.getHandle(leadWorkflowId(leadId));
  const bodies = async (leadId: string) => (await h.outbox(leadId)).map((m) => m.body);
  const texted = (leadId: string, n: number) =>
    expect.poll(async () => (await h.outbox(leadId)).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(n);
  const DAY = 86_400_000;

  /** Books the lead straight into tomorrow's 10:00 (local) through the workflow's booking update. */
  async function book(leadId: string) {
    const tomorrow = (await localNow(h.env, NY))
      .plus({ days: 1 })
      .set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
    const booked = await handle(leadId).executeUpdate(bookSlotUpdate, { args: [{ start: tomorrow.toUTC().toISO()! }] });
    expect(booked).toMatchObject({ ok: true });
    await expect
      .poll(async () => (await h.outbox(leadId)).filter((m) => m.kind === 'confirmation').length, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(1);
    return (await h.state(leadId)).booking!;
  }

  async function bookedLead(businessId: string, lead: Partial<CapturedLead>) {
    const { leadId } = await h.startLead({ businessId, lead });
    await texted(leadId, 1);
    // The lead answers (so no follow-up is due), then the business books the visit.
    await h.text({ businessId, from: lead.phone!, body: lead.language === 'es' ? 'Hola, gracias' : 'Hi, thanks' });
    await texted(leadId, 2);
    return { leadId, booking: await book(leadId) };
  }

  /** On my way, started, finished (with the amount, if any). */
  async function finishJob(leadId: string, amountCents?: number) {
    await handle(leadId).executeUpdate(jobUpdate, {
      args: [{ status: 'en_route', etaMinutes: 20, technicianName: 'Maria Lopez' }],
    });
    await handle(leadId).executeUpdate(jobUpdate, { args: [{ status: 'in_progress' }] });
    await handle(leadId).executeUpdate(jobUpdate, {
      args: [{ status: 'finished', ...(amountCents ? { amountCents } : {}) }],
    });
  }

  async function invoiceOf(leadId: string) {
    await expect
      .poll(async () => (await h.database.db.jobInvoice.findFirst({ where: { leadId } }))?.hostedUrl ?? null, {
        timeout: 20_000,
      })
      .not.toBeNull();
    return h.database.db.jobInvoice.findFirstOrThrow({ where: { leadId } });
  }

  /** Stripe's invoice.paid for the invoice, signed by the SDK's helper, through the real route. */
  async function payByWebhook(stripeInvoiceId: string, account: string | null) {
    const invoice: Record<string, unknown> = { ...fake.objects.get(stripeInvoiceId)!, status: 'paid' };
    invoice.amount_paid = invoice.amount_due;
    invoice.status_transitions = { paid_at: Math.floor((await h.env.currentTimeMs()) / 1000) };
    const event = {
      id: `evt_${stripeInvoiceId}`,
      object: 'event',
      type: 'invoice.paid',
      created: Math.floor(Date.now() / 1000),
      data: { object: invoice },
      ...(account ? { account } : {}),
      api_version: '2026-10-28.endive',
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
    };
    const payload = JSON.stringify(event);
    const post = () =>
      request(app)
        .post('/v1/webhooks/stripe')
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', signer.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }))
        .send(payload);
    const first = await post();
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ received: true, duplicate: false });
    // Stripe delivers again: nothing happens twice.
    expect((await post()).body).toEqual({ received: true, duplicate: true });
  }

  it('job → invoice on the connected account, link texted → day-3 reminder → paid (signed webhook) → thanks → review request → its reminder', async () => {
    const business = await createBusiness(h.database.db, { stripeConnectAccountId: ACCOUNT, reviewUrl: REVIEW_URL });
    await skipTo(h.env, { zone: NY, weekday: 2, hour: 10 });
    const { leadId, booking } = await bookedLead(business.id, { phone: '+12125550301' });
    const before = fake.creates.length;
    await finishJob(leadId, 18_500);

    const row = await invoiceOf(leadId);
    expect(row).toMatchObject({
      businessId: business.id,
      appointmentId: booking.appointmentId,
      amountCents: 18_500,
      currency: 'usd',
      status: 'open',
      stripeAccountId: ACCOUNT,
      paidAt: null,
    });
    // Four Stripe calls on the business's account, each with its own key from the workflow step.
    const calls = fake.creates.slice(before);
    expect(calls.map((r) => r.path)).toEqual([
      '/v1/customers',
      '/v1/invoices',
      '/v1/invoiceitems',
      `/v1/invoices/${row.stripeInvoiceId}/finalize`,
    ]);
    for (const call of calls) {
      expect(call.headers['stripe-account']).toBe(ACCOUNT);
      expect(call.headers['idempotency-key']).toMatch(
        new RegExp(`^lead-${leadId}:invoice-${booking.appointmentId}:(customer|invoice|item|finalize)$`),
      );
    }
    expect(calls[2]!.body).toMatchObject({ amount: '18500', currency: 'usd', invoice: row.stripeInvoiceId });
    expect(calls[1]!.body).toMatchObject({
      collection_method: 'send_invoice',
      auto_advance: 'false',
      'metadata[leadflow_lead]': leadId,
      'metadata[leadflow_invoice]': row.id,
    });

    await expect
      .poll(() => bodies(leadId), { timeout: 20_000 })
      .toContain(`${business.name}: your invoice for $185.00 is ready. Pay securely here: ${row.hostedUrl}`);
    const afterInvoice = (await h.outbox(leadId)).length;
    expect((await h.state(leadId)).nextAction?.kind).toBe('invoice_reminder');

    await h.sleep(3 * DAY + 60_000);
    await texted(leadId, afterInvoice + 1);
    expect((await bodies(leadId)).at(-1)).toBe(
      `Reminder from ${business.name}: your invoice for $185.00 is still open. Pay here: ${row.hostedUrl}`,
    );

    await payByWebhook(row.stripeInvoiceId!, ACCOUNT);
    await texted(leadId, afterInvoice + 3);
    const [thanks, review] = (await bodies(leadId)).slice(afterInvoice + 1);
    expect(thanks).toBe(`${business.name}: payment received, thank you! We appreciate your business.`);
    expect(review).toBe(
      `Thanks again for choosing ${business.name}! If you have a minute, a quick review would mean a lot: ${REVIEW_URL}`,
    );
    const paid = await h.database.db.jobInvoice.findUniqueOrThrow({ where: { id: row.id } });
    expect(paid.status).toBe('paid');
    expect(paid.paidAt).not.toBeNull();
    // The business's systems hear of the payment (webhook event invoice.paid), the inbox keeps it.
    const alert = await h.database.db.alert.findFirst({ where: { leadId, kind: 'invoice_paid' } });
    expect(alert?.detail).toMatchObject({ invoiceId: row.id, jobId: booking.appointmentId, amountCents: 18_500 });
    const state = await h.state(leadId);
    expect(state.invoice).toMatchObject({ status: 'paid', remindersSent: 1 });
    expect(state.nextAction?.kind).toBe('review_reminder');

    // The 7-day invoice reminder never comes; the review reminder does, once.
    await h.sleep(3 * DAY + 60_000);
    await texted(leadId, afterInvoice + 4);
    expect((await bodies(leadId)).at(-1)).toBe(
      `${business.name} here: if you were happy with the job, a short review helps us a lot: ${REVIEW_URL}`,
    );
    await h.sleep(10 * DAY);
    expect(await h.outbox(leadId)).toHaveLength(afterInvoice + 4);
    expect((await h.state(leadId)).nextAction?.kind).toBe('retention_delete');
    expect((await h.state(leadId)).review).toMatchObject({ reminderSentAt: expect.any(String) });
    expect((await h.state(leadId)).review).not.toHaveProperty('stoppedAt');
  });

  it('STOP after the invoice ends its reminders; a payment then texts nothing but still tells the business', async () => {
    const business = await createBusiness(h.database.db, { reviewUrl: REVIEW_URL });
    await skipTo(h.env, { zone: NY, weekday: 3, hour: 10 });
    const phone = '+12125550302';
    const { leadId } = await bookedLead(business.id, { phone });
    await finishJob(leadId, 9_900);
    const row = await invoiceOf(leadId);
    // Leadflow's own account (development): no Stripe-Account header.
    expect(row.stripeAccountId).toBeNull();
    expect(
      fake.creates
        .filter((r) => r.headers['idempotency-key']?.includes(leadId))
        .map((r) => r.headers['stripe-account']),
    ).toEqual([undefined, undefined, undefined, undefined]);
    await expect
      .poll(() => bodies(leadId), { timeout: 20_000 })
      .toContain(`${business.name}: your invoice for $99.00 is ready. Pay securely here: ${row.hostedUrl}`);
    await h.text({ businessId: business.id, from: phone, body: 'STOP' });
    await expect
      .poll(async () => (await h.outbox(leadId)).map((m) => m.kind), { timeout: 20_000 })
      .toContain('opt_out_confirmation');
    const sent = (await h.outbox(leadId)).length;
    await h.sleep(8 * DAY);
    expect(await h.outbox(leadId)).toHaveLength(sent);

    await handle(leadId).signal(invoicePaidSignal, { invoiceId: row.id, paidAt: new Date().toISOString() });
    await expect
      .poll(() => h.database.db.alert.count({ where: { leadId, kind: 'invoice_paid' } }), { timeout: 20_000 })
      .toBe(1);
    await h.sleep(5 * DAY);
    expect(await h.outbox(leadId)).toHaveLength(sent);
    expect((await h.state(leadId)).nextAction?.kind).toBe('retention_delete');
  });

  it('STOP after the payment (review request waiting for the morning) and STOP after the review request end every pending text', async () => {
    const business = await createBusiness(h.database.db, { reviewUrl: REVIEW_URL });
    await skipTo(h.env, { zone: NY, weekday: 4, hour: 10 });
    const night = '+12125550303';
    const { leadId } = await bookedLead(business.id, { phone: night });
    await finishJob(leadId, 12_000);
    const row = await invoiceOf(leadId);
    await texted(leadId, (await h.outbox(leadId)).length);
    // Paid at 22:30: thanked at once (the customer just paid), the review request waits for 08:00.
    await skipTo(h.env, { zone: NY, hour: 22, minute: 30 });
    await payByWebhook(row.stripeInvoiceId!, null);
    await expect
      .poll(() => bodies(leadId), { timeout: 20_000 })
      .toContain(`${business.name}: payment received, thank you! We appreciate your business.`);
    await expect.poll(async () => (await h.state(leadId)).nextAction?.kind, { timeout: 20_000 }).toBe('review_request');
    await h.text({ businessId: business.id, from: night, body: 'STOP' });
    await expect
      .poll(async () => (await h.outbox(leadId)).map((m) => m.kind), { timeout: 20_000 })
      .toContain('opt_out_confirmation');
    const sent = (await h.outbox(leadId)).length;
    await h.sleep(5 * DAY);
    expect(await h.outbox(leadId)).toHaveLength(sent);
    expect((await bodies(leadId)).some((b) => b.includes(REVIEW_URL))).toBe(false);

    // A job with nothing to invoice: the review request at once; STOP after it ends its reminder.
    await skipTo(h.env, { zone: NY, weekday: 2, hour: 10 });
    const phone = '+12125550304';
    const { leadId: other } = await bookedLead(business.id, { phone });
    const beforeJob = fake.creates.length;
    await finishJob(other);
    await expect
      .poll(() => bodies(other), { timeout: 20_000 })
      .toContain(
        `Thanks again for choosing ${business.name}! If you have a minute, a quick review would mean a lot: ${REVIEW_URL}`,
      );
    expect(fake.creates.length).toBe(beforeJob);
    expect(await h.database.db.jobInvoice.count({ where: { leadId: other } })).toBe(0);
    expect((await h.state(other)).nextAction?.kind).toBe('review_reminder');
    await h.text({ businessId: business.id, from: phone, body: 'STOP' });
    await expect
      .poll(async () => (await h.outbox(other)).map((m) => m.kind), { timeout: 20_000 })
      .toContain('opt_out_confirmation');
    const otherSent = (await h.outbox(other)).length;
    await h.sleep(5 * DAY);
    expect(await h.outbox(other)).toHaveLength(otherSent);
  });

  it('a reply ends the review reminder; the business can stop one; no second request within 90 days', async () => {
    const business = await createBusiness(h.database.db, { reviewUrl: REVIEW_URL });
    await skipTo(h.env, { zone: NY, weekday: 2, hour: 10 });
    const phone = '+12125550305';
    const { leadId } = await bookedLead(business.id, { phone });
    await finishJob(leadId);
    await expect
      .poll(() => bodies(leadId), { timeout: 20_000 })
      .toContain(
        `Thanks again for choosing ${business.name}! If you have a minute, a quick review would mean a lot: ${REVIEW_URL}`,
      );
    const requestedAt = (await h.state(leadId)).review!.lastRequestedAt;
    expect(requestedAt).not.toBeNull();
    await h.text({ businessId: business.id, from: phone, body: 'Done, thanks again!' });
    await expect.poll(async () => (await h.state(leadId)).review?.reminderDone, { timeout: 20_000 }).toBe(true);
    // Stopped by the reply, not sent: the app can tell the two apart.
    expect((await h.state(leadId)).review).toMatchObject({ stoppedAt: expect.any(String) });
    expect((await h.state(leadId)).review).not.toHaveProperty('reminderSentAt');
    await h.sleep(4 * DAY);
    const reviewTexts = async (id: string) => (await bodies(id)).filter((b) => b.includes(REVIEW_URL));
    expect(await reviewTexts(leadId)).toHaveLength(1);

    // A second job 30 days later: no second request within 90 days.
    await h.sleep(30 * DAY);
    await skipTo(h.env, { zone: NY, weekday: 3, hour: 10 });
    await book(leadId);
    await finishJob(leadId);
    await h.sleep(4 * DAY);
    expect(await reviewTexts(leadId)).toHaveLength(1);
    expect((await h.state(leadId)).review?.lastRequestedAt).toBe(requestedAt);

    // The business stops another lead's pending reminder (POST /v1/leads/{id}/review-request/stop signals this).
    const { leadId: stopped } = await bookedLead(business.id, { phone: '+12125550306' });
    await finishJob(stopped);
    await expect.poll(async () => reviewTexts(stopped), { timeout: 20_000 }).toHaveLength(1);
    await handle(stopped).signal(stopReviewRequestSignal);
    await h.sleep(4 * DAY);
    expect(await reviewTexts(stopped)).toHaveLength(1);
    expect((await h.state(stopped)).review).toMatchObject({ reminderDone: true, stoppedAt: expect.any(String) });
  });

  it('a refused invoice (the connected account revoked access) stays failed: the business is alerted, nothing is texted or reminded', async () => {
    const business = await createBusiness(h.database.db, {
      stripeConnectAccountId: 'acct_revoked_rivera',
      reviewUrl: REVIEW_URL,
    });
    await skipTo(h.env, { zone: NY, weekday: 2, hour: 10 });
    const { leadId, booking } = await bookedLead(business.id, { phone: '+12125550307' });
    await finishJob(leadId, 9_900);
    await expect.poll(async () => (await h.state(leadId)).invoice?.status, { timeout: 20_000 }).toBe('failed');
    const alert = await h.database.db.alert.findFirst({ where: { leadId, kind: 'invoice_failed' } });
    expect(alert?.detail).toMatchObject({ jobId: booking.appointmentId, amountCents: 9_900 });
    const texts = (await h.outbox(leadId)).length;
    // A payment event for some invoice changes nothing; no reminder and no review request follow.
    await handle(leadId).signal(invoicePaidSignal, { invoiceId: 'in_unrelated', paidAt: new Date().toISOString() });
    await h.sleep(8 * DAY);
    expect(await h.outbox(leadId)).toHaveLength(texts);
    expect((await h.state(leadId)).invoice).toMatchObject({ status: 'failed', amountCents: 9_900, remindersSent: 0 });
    expect((await h.state(leadId)).invoice).not.toHaveProperty('paidAt');
    expect(await bodies(leadId)).not.toContain(expect.stringContaining(REVIEW_URL));
  });

  it('texts a Spanish lead in Spanish, each within two segments', async () => {
    const business = await createBusiness(h.database.db, { stripeConnectAccountId: ACCOUNT, reviewUrl: REVIEW_URL });
    await skipTo(h.env, { zone: NY, weekday: 2, hour: 11 });
    const { leadId } = await bookedLead(business.id, { phone: '+12125550307', language: 'es' });
    const start = (await h.outbox(leadId)).length;
    await finishJob(leadId, 25_000);
    const row = await invoiceOf(leadId);
    await payByWebhook(row.stripeInvoiceId!, ACCOUNT);
    await expect
      .poll(() => bodies(leadId), { timeout: 20_000 })
      .toContain(
        `¡Gracias de nuevo por elegir a ${business.name}! Si tiene un minuto, una breve reseña nos ayudaria mucho: ${REVIEW_URL}`,
      );
    const texts = (await bodies(leadId)).slice(start);
    expect(texts).toContain(`${business.name}: su factura de $250.00 esta lista. Puede pagarla aqui: ${row.hostedUrl}`);
    expect(texts).toContain(`${business.name}: recibimos su pago, ¡muchas gracias! Agradecemos su confianza.`);
    for (const text of texts) expect(segmentsOf(text)).toBeLessThanOrEqual(2);
  });
});
