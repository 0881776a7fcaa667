import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../api/routes/businesses';
import { withTenant } from '../../db/tenant';
import { accountWorkflowId } from '../../workflows/account/definitions';
import { createBusiness } from '../support/business';
import { startStack, type Stack } from '../support/stack';

const STRIPE_SECRET = 'whsec_test_secret_for_leadflow';
const ADMIN = 'admin-token-for-account-tests';
const DAY = 86_400_000;

describe('account routes: tenant export, tenant legal hold, account state, Stripe on the account workflow', () => {
  let stack: Stack;
  const stripe = new Stripe('sk_test_unused');
  const a = {
    id: '',
    owner: '',
    operator: '',
    compliance: '',
    customer: `cus_${randomUUID().slice(0, 8)}`,
    leadId: randomUUID(),
  };
  const b = { id: '', owner: '', leadId: randomUUID() };

  const key = async (businessId: string, role: 'owner' | 'compliance' | 'operator') =>
    (await withTenant(stack.database.db, businessId, (tx) => createKey(tx, businessId, role, role))).key;
  const as = (k: string) => ({ Authorization: `Bearer ${k}` });

  async function leadWithData(businessId: string, leadId: string, phone: string) {
    const db = stack.database.db;
    await db.lead.create({
      data: { id: leadId, businessId, name: 'Dana Whitfield', phone, message: 'Leaking water heater' },
    });
    await db.message.create({
      data: {
        businessId,
        leadId,
        direction: 'inbound',
        body: 'Is Thursday possible?',
        provider: 'local',
        status: 'received',
      },
    });
    await db.consentRecord.create({
      data: {
        businessId,
        leadId,
        consentText: 'I agree to texts',
        capturedAt: new Date(),
        method: 'widget',
        ip: '203.0.113.9',
      },
    });
    await db.suppression.create({ data: { businessId, phone: '+12125550199', reason: 'keyword' } });
  }

  beforeAll(async () => {
    stack = await startStack({
      app: {
        settings: {
          localSms: true,
          widgetDemo: false,
          stripeWebhookSecret: STRIPE_SECRET,
          stripeSecretKey: 'sk_test_unused',
          adminToken: ADMIN,
        },
      },
    });
    a.id = (await createBusiness(stack.database.db, { stripeCustomerId: a.customer })).id;
    b.id = (await createBusiness(stack.database.db)).id;
    [a.owner, a.operator, a.compliance, b.owner] = await Promise.all([
      key(a.id, 'owner'),
      key(a.id, 'operator'),
      key(a.id, 'compliance'),
      key(b.id, 'owner'),
    ]);
    await leadWithData(a.id, a.leadId, '+12125550181');
    await leadWithData(b.id, b.leadId, '+12125550182');
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('starts the account workflow when a business is created', async () => {
    const res = await request(stack.app)
      .post('/v1/businesses')
      .set(as(ADMIN))
      .send({ name: 'Nguyen Electric' })
      .expect(201);
    const described = await stack.client.workflow.getHandle(accountWorkflowId(res.body.business.id)).describe();
    expect(described.status.name).toBe('RUNNING');
    const account = await request(stack.app).get('/v1/business/account').set(as(res.body.ownerKey.key)).expect(200);
    expect(account.body).toMatchObject({ businessId: res.body.business.id, status: 'active', purgeAt: null });
  });

  it('exports the whole tenant as one JSON document to the owner only, and audits it', async () => {
    const res = await request(stack.app).get('/v1/business/export').set(as(a.owner)).expect(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const doc = JSON.parse(res.text);
    expect(doc.format).toBe('leadflow.tenant-export.v1');
    expect(doc.business.id).toBe(a.id);
    expect(doc.services).toHaveLength(2);
    expect(doc.leads.map((l: { id: string }) => l.id)).toEqual([a.leadId]);
    expect(doc.leads[0]).toMatchObject({ name: 'Dana Whitfield', phone: '+12125550181' });
    expect(doc.messages).toHaveLength(1);
    expect(doc.consentRecords[0]).toMatchObject({
      leadId: a.leadId,
      consentText: 'I agree to texts',
      ip: '203.0.113.9',
    });
    expect(doc.suppressions).toHaveLength(1);
    for (const section of ['appointments', 'privacyRequests', 'auditLog', 'billingRecords'])
      expect(Array.isArray(doc[section]), section).toBe(true);
    // Nothing of the other tenant.
    expect(res.text).not.toContain(b.id);
    expect(res.text).not.toContain('+12125550182');
    expect(
      await stack.database.db.auditLog.count({ where: { businessId: a.id, action: 'export', entity: 'business' } }),
    ).toBe(1);

    expect((await request(stack.app).get('/v1/business/export').set(as(a.operator))).status).toBe(403);
    expect((await request(stack.app).get('/v1/business/export').set(as(a.compliance))).status).toBe(403);
    expect((await request(stack.app).get('/v1/business/export')).status).toBe(401);
  });

  it('pages through tables larger than one page without losing or repeating a row', async () => {
    const leads = Array.from({ length: 1203 }, (_, i) => ({
      id: randomUUID(),
      businessId: b.id,
      name: `Lead ${i}`,
      phone: `+1212555${String(2000 + i).padStart(4, '0')}`,
    }));
    await stack.database.db.lead.createMany({ data: leads });
    const doc = (await request(stack.app).get('/v1/business/export').set(as(b.owner)).expect(200)).body;
    const ids = doc.leads.map((l: { id: string }) => l.id);
    expect(ids).toHaveLength(1204);
    expect(new Set(ids).size).toBe(1204);
  });

  it('places and releases a tenant legal hold (owner, compliance), audited, and the account workflow knows', async () => {
    expect(
      (await request(stack.app).put('/v1/business/legal-hold').set(as(a.operator)).send({ reason: 'litigation' }))
        .status,
    ).toBe(403);
    const bad = await request(stack.app).put('/v1/business/legal-hold').set(as(a.compliance)).send({});
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^reason/);

    const placed = await request(stack.app)
      .put('/v1/business/legal-hold')
      .set(as(a.compliance))
      .send({ reason: 'Litigation hold, case 24-118' })
      .expect(200);
    expect(placed.body).toMatchObject({ businessId: a.id, held: true, reason: 'Litigation hold, case 24-118' });
    expect(placed.body.placedBy).toMatch(/^key:/);
    expect((await request(stack.app).get('/v1/business/legal-hold').set(as(a.owner)).expect(200)).body.held).toBe(true);
    await expect
      .poll(async () => (await request(stack.app).get('/v1/business/account').set(as(a.owner))).body.legalHold, {
        timeout: 20_000,
      })
      .toBe(true);
    // The other tenant is untouched.
    expect((await request(stack.app).get('/v1/business/legal-hold').set(as(b.owner)).expect(200)).body).toMatchObject({
      businessId: b.id,
      held: false,
    });
    expect((await request(stack.app).get('/v1/business/legal-hold').set(as(a.operator))).status).toBe(403);

    const released = await request(stack.app).delete('/v1/business/legal-hold').set(as(a.owner)).expect(200);
    expect(released.body).toMatchObject({ held: false, reason: null, placedAt: null });
    await expect
      .poll(async () => (await request(stack.app).get('/v1/business/account').set(as(a.owner))).body.legalHold, {
        timeout: 20_000,
      })
      .toBe(false);
    const actions = await stack.database.db.auditLog.findMany({
      where: { businessId: a.id, entity: 'business', action: { in: ['hold', 'release'] } },
      orderBy: { at: 'asc' },
    });
    expect(actions.map((x) => x.action)).toEqual(['hold', 'release']);
  });

  it('answers 404 for another tenant’s lead on the hold routes', async () => {
    expect(
      (
        await request(stack.app)
          .put(`/v1/leads/${b.leadId}/legal-hold`)
          .set(as(a.compliance))
          .send({ reason: 'litigation' })
      ).status,
    ).toBe(404);
    expect((await stack.database.db.lead.findUniqueOrThrow({ where: { id: b.leadId } })).legalHoldAt).toBeNull();
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
  const stripePost = (event: object) => {
    const payload = JSON.stringify(event);
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET });
    return request(stack.app)
      .post('/v1/webhooks/stripe')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', header)
      .send(payload);
  };
  const account = async () => (await request(stack.app).get('/v1/business/account').set(as(a.owner)).expect(200)).body;

  it('drives the account workflow from Stripe events; replays change nothing', async () => {
    const pastDue = stripeEvent('customer.subscription.updated', {
      id: 'sub_a',
      object: 'subscription',
      customer: a.customer,
      status: 'past_due',
    });
    expect((await stripePost(pastDue)).body).toEqual({ received: true, duplicate: false });
    await expect.poll(async () => (await account()).status, { timeout: 20_000 }).toBe('paused');

    const cancelled = stripeEvent('customer.subscription.deleted', {
      id: 'sub_a',
      object: 'subscription',
      customer: a.customer,
      status: 'canceled',
    });
    expect((await stripePost(cancelled)).body.duplicate).toBe(false);
    await expect.poll(async () => (await account()).status, { timeout: 20_000 }).toBe('export_window');
    // The window opens at once; its end is computed by an activity just after (the tenant may have shortened it).
    await expect.poll(async () => (await account()).purgeAt, { timeout: 20_000 }).not.toBeNull();
    const business = await stack.database.db.business.findUniqueOrThrow({ where: { id: a.id } });
    const state = await account();
    expect(state.cancelledAt).toBe(business.cancelledAt!.toISOString());
    expect(state.purgeAt).toBe(new Date(business.cancelledAt!.getTime() + 30 * DAY).toISOString());

    // Stripe delivers the older event again: stored as seen, it moves nothing back.
    for (const event of [pastDue, cancelled, pastDue])
      expect((await stripePost(event)).body).toEqual({ received: true, duplicate: true });
    await new Promise((r) => setTimeout(r, 500));
    expect(await account()).toEqual(state);
    expect((await stack.database.db.business.findUniqueOrThrow({ where: { id: a.id } })).subscriptionStatus).toBe(
      'canceled',
    );

    // The owner can still export during the window.
    expect((await request(stack.app).get('/v1/business/export').set(as(a.owner))).status).toBe(200);
  });
});
