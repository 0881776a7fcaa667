import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import request from 'supertest';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { createLogger } from '../../logging/logger';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

const TWILIO_TOKEN = 'twilio-auth-token-for-tests';
const STRIPE_SECRET = 'whsec_test_secret_for_leadflow';
const PUBLIC = 'https://leads.example.com';

describe('webhooks', () => {
  let stack: Stack;
  let app: ReturnType<typeof createApp>;
  let businessId = '';
  let businessNumber = '';
  const stripe = new Stripe('sk_test_unused');

  beforeAll(async () => {
    stack = await startStack();
    app = createApp({
      db: stack.database.appDb,
      temporal: stack.client,
      log: createLogger({ name: 'test', level: 'silent' }),
      taskQueue: stack.taskQueue,
      settings: {
        twilioAuthToken: TWILIO_TOKEN,
        publicBaseUrl: PUBLIC,
        stripeWebhookSecret: STRIPE_SECRET,
        stripeSecretKey: 'sk_test_unused',
      },
    });
    const business = await createBusiness(stack.database.db, { stripeCustomerId: `cus_${randomUUID().slice(0, 8)}` });
    businessId = business.id;
    businessNumber = business.smsNumber!;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const twilioPost = (path: string, params: Record<string, string>, sign: { url?: string; token?: string } = {}) => {
    const signature = twilio.getExpectedTwilioSignature(
      sign.token ?? TWILIO_TOKEN,
      sign.url ?? `${PUBLIC}${path}`,
      params,
    );
    return request(app).post(path).type('form').set('X-Twilio-Signature', signature).send(params);
  };

  it('accepts a Twilio-signed inbound SMS once, however often Twilio retries it', async () => {
    const from = await daytimePhone(21);
    const params = {
      MessageSid: `SM${randomUUID().replace(/-/g, '')}`,
      From: from,
      To: businessNumber,
      Body: 'Do you have anything Thursday morning?',
      AccountSid: 'AC123',
      NumMedia: '0',
    };
    const replies = [];
    for (let i = 0; i < 3; i += 1) replies.push(await twilioPost('/v1/webhooks/twilio/sms', params));
    for (const r of replies) {
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toMatch(/text\/xml/);
      expect(r.text).toContain('<Response></Response>');
    }
    const inbound = await stack.database.db.message.findMany({ where: { providerId: params.MessageSid } });
    expect(inbound).toHaveLength(1);
    // A new number texting the business became a lead, and its workflow answered.
    const lead = await stack.database.db.lead.findUniqueOrThrow({ where: { id: inbound[0]!.leadId } });
    expect(lead).toMatchObject({ phone: from, source: 'sms', businessId });
    await expect
      .poll(() => stack.database.db.message.count({ where: { leadId: lead.id, direction: 'outbound' } }), {
        timeout: 30_000,
      })
      .toBe(1);
  });

  it('refuses a missing, forged or tampered Twilio signature with 403', async () => {
    const params = {
      MessageSid: `SM${randomUUID().replace(/-/g, '')}`,
      From: '+12125550111',
      To: businessNumber,
      Body: 'hi',
    };
    expect((await request(app).post('/v1/webhooks/twilio/sms').type('form').send(params)).status).toBe(403);
    expect((await twilioPost('/v1/webhooks/twilio/sms', params, { token: 'wrong-token' })).status).toBe(403);
    const signature = twilio.getExpectedTwilioSignature(TWILIO_TOKEN, `${PUBLIC}/v1/webhooks/twilio/sms`, params);
    const tampered = await request(app)
      .post('/v1/webhooks/twilio/sms')
      .type('form')
      .set('X-Twilio-Signature', signature)
      .send({ ...params, Body: 'STOP' });
    expect(tampered.status).toBe(403);
    expect(await stack.database.db.message.count({ where: { providerId: params.MessageSid } })).toBe(0);
  });

  it('signs against PUBLIC_BASE_URL, not the address the request reached', async () => {
    const params = {
      MessageSid: `SM${randomUUID().replace(/-/g, '')}`,
      From: '+12125550112',
      To: businessNumber,
      Body: 'hi',
    };
    const local = await twilioPost('/v1/webhooks/twilio/sms', params, {
      url: 'http://127.0.0.1/v1/webhooks/twilio/sms',
    });
    expect(local.status).toBe(403);
  });

  it('records delivery status, never moving backwards', async () => {
    const lead = await stack.database.db.lead.create({
      data: { id: randomUUID(), businessId, name: 'x', phone: '+12125550113' },
    });
    const sid = `SM${randomUUID().replace(/-/g, '')}`;
    await stack.database.db.message.create({
      data: {
        businessId,
        leadId: lead.id,
        direction: 'outbound',
        body: 'hi',
        provider: 'twilio',
        providerId: sid,
        status: 'sent',
        kind: 'reply',
      },
    });
    await twilioPost('/v1/webhooks/twilio/status', {
      MessageSid: sid,
      MessageStatus: 'delivered',
      From: businessNumber,
    }).expect(200);
    await twilioPost('/v1/webhooks/twilio/status', {
      MessageSid: sid,
      MessageStatus: 'sent',
      From: businessNumber,
    }).expect(200);
    expect((await stack.database.db.message.findUniqueOrThrow({ where: { providerId: sid } })).status).toBe(
      'delivered',
    );
    // Each callback is a delivery log (sms_delivery_logs retention): ids and status, no number, no text.
    const logs = await stack.database.db.eventLog.findMany({ where: { leadId: lead.id }, orderBy: { id: 'asc' } });
    expect(logs.map((l) => [l.category, l.event, (l.detail as { status: string }).status])).toEqual([
      ['sms_delivery', 'status_callback', 'delivered'],
      ['sms_delivery', 'status_callback', 'sent'],
    ]);
    expect(JSON.stringify(logs.map((l) => l.detail))).not.toMatch(/\+1212|hi"/);
  });

  const stripeEvent = (type: string, object: Record<string, unknown>) => ({
    id: `evt_${randomUUID().replace(/-/g, '')}`,
    object: 'event',
    type,
    created: Math.floor(Date.now() / 1000),
    data: { object },
    api_version: '2024-06-20',
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
  });
  const stripePost = (event: object, secret = STRIPE_SECRET) => {
    const payload = JSON.stringify(event);
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret });
    return request(app)
      .post('/v1/webhooks/stripe')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', header)
      .send(payload);
  };

  it('applies a Stripe-signed subscription change once; replays change nothing', async () => {
    const business = await stack.database.db.business.findUniqueOrThrow({ where: { id: businessId } });
    const event = stripeEvent('customer.subscription.updated', {
      id: 'sub_123',
      object: 'subscription',
      customer: business.stripeCustomerId,
      status: 'past_due',
    });
    const first = await stripePost(event);
    expect(first.body).toEqual({ received: true, duplicate: false });
    expect((await stack.database.db.business.findUniqueOrThrow({ where: { id: businessId } })).subscriptionStatus).toBe(
      'past_due',
    );
    // Someone fixes the status by hand; replays of the old event must not undo it.
    await stack.database.db.business.update({ where: { id: businessId }, data: { subscriptionStatus: 'active' } });
    for (let i = 0; i < 3; i += 1) expect((await stripePost(event)).body).toEqual({ received: true, duplicate: true });
    expect((await stack.database.db.business.findUniqueOrThrow({ where: { id: businessId } })).subscriptionStatus).toBe(
      'active',
    );
  });

  it('keeps billing records from invoices, once each', async () => {
    const business = await stack.database.db.business.findUniqueOrThrow({ where: { id: businessId } });
    const event = stripeEvent('invoice.paid', {
      id: 'in_1',
      object: 'invoice',
      customer: business.stripeCustomerId,
      amount_paid: 4900,
      currency: 'usd',
    });
    await stripePost(event).expect(200);
    await stripePost(event).expect(200);
    const records = await stack.database.db.billingRecord.findMany({ where: { stripeEventId: event.id } });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ amountCents: 4900, currency: 'usd', type: 'invoice.paid', businessId });
  });

  it('refuses a Stripe event with a bad signature', async () => {
    const event = stripeEvent('customer.subscription.updated', { id: 'sub_1', customer: 'cus_x', status: 'canceled' });
    expect((await stripePost(event, 'whsec_wrong')).status).toBe(403);
    expect(
      (
        await request(app)
          .post('/v1/webhooks/stripe')
          .set('Content-Type', 'application/json')
          .send(JSON.stringify(event))
      ).status,
    ).toBe(403);
  });
});
