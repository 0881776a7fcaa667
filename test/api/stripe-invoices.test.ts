import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../db/tenant';
import { createKey } from '../../services/api-keys/create-api-key';
import { createJobInvoice } from '../../services/invoices/job-invoices';
import { createStripeClient } from '../../services/invoices/stripe-client';
import { startStripeFake, type StripeFake } from '../fakes/stripe-fake';
import { createBusiness } from '../support/business';
import { startStack, type Stack } from '../support/stack';

const WEBHOOK_SECRET = 'whsec_stripe_invoices_test';
const ACCOUNT = 'acct_1WireLevelTest';

/**
 * The job invoice's Stripe calls as they go over the wire (the official SDK against a
 * Stripe-speaking fake), a retry after a failure half-way, the signed invoice.paid webhook
 * told apart from leadflow's own billing, and the business settings that drive it.
 */
describe('Stripe job invoices on the wire', () => {
  let stack: Stack;
  let fake: StripeFake;
  let stripe: Stripe;
  let businessId = '';
  let ownerKey = '';
  const signer = new Stripe('sk_test_signer');

  beforeAll(async () => {
    fake = await startStripeFake();
    stripe = createStripeClient({ secretKey: 'sk_test_wire', apiBaseUrl: fake.url })!;
    stack = await startStack({
      app: {
        settings: { stripeWebhookSecret: WEBHOOK_SECRET, stripeSecretKey: 'sk_test_wire', stripeApiBaseUrl: fake.url },
      },
    });
    const business = await createBusiness(stack.database.db, {
      stripeConnectAccountId: ACCOUNT,
      stripeCustomerId: `cus_${randomUUID().slice(0, 8)}`,
    });
    businessId = business.id;
    ownerKey = (await withTenant(stack.database.db, businessId, (tx) => createKey(tx, businessId, 'owner', 'owner')))
      .key;
  });
  afterAll(async () => {
    await stack?.close();
    await fake?.close();
  });

  /** A lead with an appointment, as the workflow leaves them before the invoice. */
  async function leadWithAppointment(name = 'Rosa Delgado') {
    const leadId = randomUUID();
    const appointmentId = randomUUID();
    await stack.database.db.lead.create({
      data: { id: leadId, businessId, name, phone: '+12125550401', email: 'rosa@example.com', source: 'api' },
    });
    const service = await stack.database.db.service.create({
      data: { businessId, name: 'Water heater install', durationMinutes: 180 },
    });
    await stack.database.db.appointment.create({
      data: {
        id: appointmentId,
        businessId,
        leadId,
        serviceId: service.id,
        startsAt: new Date(),
        endsAt: new Date(Date.now() + 3 * 3_600_000),
        status: 'completed',
      },
    });
    return { leadId, appointmentId };
  }

  const input = (ids: { leadId: string; appointmentId: string }) => ({
    idempotencyKey: `lead-${ids.leadId}:invoice-${ids.appointmentId}`,
    businessId,
    ...ids,
    amountCents: 42_000,
  });

  it('creates customer, draft, line and finalizes on the connected account, form-encoded, one key per call', async () => {
    const ids = await leadWithAppointment();
    const before = fake.requests.length;
    const made = await createJobInvoice({ db: stack.database.appDb, stripe }, input(ids));
    expect(made).toMatchObject({ created: true, amountCents: 42_000 });
    const sent = fake.requests.slice(before);
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/customers',
      'POST /v1/invoices',
      'POST /v1/invoiceitems',
      `POST /v1/invoices/${made.created && made.stripeInvoiceId}/finalize`,
    ]);
    for (const r of sent) {
      expect(r.headers['content-type']).toContain('application/x-www-form-urlencoded');
      expect(r.headers.authorization).toBe('Bearer sk_test_wire');
      expect(r.headers['stripe-account']).toBe(ACCOUNT);
    }
    expect(sent.map((r) => r.headers['idempotency-key'])).toEqual(
      ['customer', 'invoice', 'item', 'finalize'].map((step) => `${input(ids).idempotencyKey}:${step}`),
    );
    expect(sent[0]!.body).toMatchObject({
      name: 'Rosa Delgado',
      phone: '+12125550401',
      email: 'rosa@example.com',
      'metadata[leadflow_lead]': ids.leadId,
      'metadata[leadflow_business]': businessId,
    });
    expect(sent[2]!.rawBody).toContain('description=Water%20heater%20install');
    expect(sent[2]!.body).toMatchObject({ amount: '42000', currency: 'usd' });
    const row = await stack.database.db.jobInvoice.findFirstOrThrow({ where: { leadId: ids.leadId } });
    expect(row).toMatchObject({
      status: 'open',
      stripeAccountId: ACCOUNT,
      stripeInvoiceId: made.created ? made.stripeInvoiceId : null,
      hostedUrl: made.created ? made.hostedUrl : null,
    });
    expect(row.hostedUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/i\/acct_1WireLevelTest\/in_/);
  });

  it('makes one invoice when the activity is retried after Stripe failed half-way', async () => {
    const ids = await leadWithAppointment('Ana Ruiz');
    const createsBefore = fake.creates.length;
    // Finalize keeps failing past the SDK's own two retries: the attempt fails after three objects exist.
    fake.failNext(3, /finalize$/);
    await expect(createJobInvoice({ db: stack.database.appDb, stripe }, input(ids))).rejects.toThrow();
    const retried = await createJobInvoice({ db: stack.database.appDb, stripe }, input(ids));
    expect(retried.created).toBe(true);
    // The retry's customer, draft and line were Stripe's idempotent replays: four objects in all.
    expect(fake.creates.slice(createsBefore).map((r) => r.path.replace(/in_\w+/, 'ID'))).toEqual([
      '/v1/customers',
      '/v1/invoices',
      '/v1/invoiceitems',
      '/v1/invoices/ID/finalize',
    ]);
    const again = await createJobInvoice({ db: stack.database.appDb, stripe }, input(ids));
    expect(again).toEqual(retried);
    expect(await stack.database.db.jobInvoice.count({ where: { leadId: ids.leadId } })).toBe(1);
  });

  it('answers not_configured without a Stripe key, touching nothing', async () => {
    const ids = await leadWithAppointment('Sin Stripe');
    expect(await createJobInvoice({ db: stack.database.appDb, stripe: null }, input(ids))).toEqual({
      created: false,
      reason: 'not_configured',
    });
    expect(await stack.database.db.jobInvoice.count({ where: { leadId: ids.leadId } })).toBe(0);
  });

  const post = (event: object) => {
    const payload = JSON.stringify(event);
    return request(stack.app)
      .post('/v1/webhooks/stripe')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', signer.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }))
      .send(payload);
  };
  const event = (object: Record<string, unknown>, account?: string) => ({
    id: `evt_${randomUUID().replace(/-/g, '')}`,
    object: 'event',
    type: 'invoice.paid',
    created: Math.floor(Date.now() / 1000),
    data: { object },
    ...(account ? { account } : {}),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
  });

  it('records a job invoice paid from its metadata, not as leadflow’s billing; another account’s event changes nothing', async () => {
    const ids = await leadWithAppointment('Paga Bien');
    const made = await createJobInvoice({ db: stack.database.appDb, stripe }, input(ids));
    if (!made.created) throw new Error('not created');
    const paidObject = { ...fake.objects.get(made.stripeInvoiceId)!, status: 'paid', amount_paid: 42_000 };

    const stranger = event(paidObject, 'acct_someoneElse');
    expect((await post(stranger)).status).toBe(200);
    expect((await stack.database.db.jobInvoice.findFirstOrThrow({ where: { leadId: ids.leadId } })).status).toBe(
      'open',
    );

    const paid = event(paidObject, ACCOUNT);
    expect((await post(paid)).body).toEqual({ received: true, duplicate: false });
    const row = await stack.database.db.jobInvoice.findFirstOrThrow({ where: { leadId: ids.leadId } });
    expect(row.status).toBe('paid');
    expect(row.paidAt).not.toBeNull();
    expect(await stack.database.db.billingRecord.count({ where: { stripeEventId: paid.id } })).toBe(0);

    // leadflow's own subscription invoice (no job metadata) still becomes a billing record.
    const business = await stack.database.db.business.findUniqueOrThrow({ where: { id: businessId } });
    const own = event({
      id: 'in_own',
      object: 'invoice',
      customer: business.stripeCustomerId,
      amount_paid: 4900,
      currency: 'usd',
    });
    await post(own).expect(200);
    expect(await stack.database.db.billingRecord.count({ where: { stripeEventId: own.id } })).toBe(1);
  });

  it('takes the review link (https only) and the connected account in the business settings, naming the field', async () => {
    const patch = (body: object) =>
      request(stack.app).patch('/v1/business').set('Authorization', `Bearer ${ownerKey}`).send(body);
    const http = await patch({ reviewUrl: 'http://reviews.example.com/us' });
    expect(http.status).toBe(400);
    expect(JSON.stringify(http.body)).toContain('reviewUrl');
    const account = await patch({ stripeConnectAccountId: 'sk_live_oops' });
    expect(account.status).toBe(400);
    expect(JSON.stringify(account.body)).toContain('stripeConnectAccountId');
    const ok = await patch({ reviewUrl: 'https://g.page/r/rivera/review', stripeConnectAccountId: 'acct_1New' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ reviewUrl: 'https://g.page/r/rivera/review', stripeConnectAccountId: 'acct_1New' });
    const cleared = await patch({ reviewUrl: null });
    expect(cleared.body.reviewUrl).toBeNull();
  });

  it('stops a review request only for the business’s own leads', async () => {
    const res = await request(stack.app)
      .post(`/v1/leads/${randomUUID()}/review-request/stop`)
      .set('Authorization', `Bearer ${ownerKey}`);
    expect(res.status).toBe(404);
  });
});
