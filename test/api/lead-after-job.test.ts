import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../db/tenant';
import { createKey } from '../../services/api-keys/create-api-key';
import { createStripeClient } from '../../services/invoices/stripe-client';
import { startStripeFake, type StripeFake } from '../fakes/stripe-fake';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

const WEBHOOK_SECRET = 'whsec_lead_after_job_test';
const DAY = 86_400_000;

interface LeadBody {
  workflow: {
    job: { status: string } | null;
    invoice: {
      status: string;
      amountCents: number;
      link: string | null;
      openedAt: string | null;
      paidAt: string | null;
      remindersSent: number;
    } | null;
    reviewRequest: {
      status: string;
      dueFrom: string | null;
      askedAt: string | null;
      reminderDueAt: string | null;
      stoppable: boolean;
    } | null;
  };
}

/**
 * GET /v1/leads/{id} shows the finished job's invoice (open with its link, then paid after the
 * signed invoice.paid webhook) and the review request (its reminder due, then stopped by the
 * business), from the lead workflow's own state on the real stack with a Stripe-speaking fake.
 */
describe('a lead’s invoice and review request on GET /v1/leads/{id}', () => {
  let stack: Stack;
  let fake: StripeFake;
  let ownerKey = '';
  let otherKey = '';
  const signer = new Stripe('sk_test_signer');

  beforeAll(async () => {
    fake = await startStripeFake();
    stack = await startStack({
      stripe: createStripeClient({ secretKey: 'sk_test_after_job', apiBaseUrl: fake.url }),
      app: {
        settings: {
          stripeWebhookSecret: WEBHOOK_SECRET,
          stripeSecretKey: 'sk_test_after_job',
          stripeApiBaseUrl: fake.url,
        },
      },
    });
    const db = stack.database.db;
    const business = await createBusiness(db, { reviewUrl: 'https://g.page/r/rivera-plumbing/review' });
    const other = await createBusiness(db);
    ownerKey = (await withTenant(db, business.id, (tx) => createKey(tx, business.id, 'owner', 'owner'))).key;
    otherKey = (await withTenant(db, other.id, (tx) => createKey(tx, other.id, 'owner', 'owner'))).key;
  });
  afterAll(async () => {
    await stack?.close();
    await fake?.close();
  });

  const as = (key: string) => ({ Authorization: `Bearer ${key}` });
  const lead = async (leadId: string, key = ownerKey) => {
    const res = await request(stack.app).get(`/v1/leads/${leadId}`).set(as(key));
    expect(res.status).toBe(200);
    return res.body as LeadBody;
  };

  async function finishedLead(amountCents: number | undefined, suffix: number): Promise<string> {
    const res = await request(stack.app)
      .post('/v1/leads')
      .set(as(ownerKey))
      .send({
        name: 'Rosa Delgado',
        phone: await daytimePhone(suffix),
        consent: { text: 'I agree to receive texts.' },
      });
    expect(res.status).toBe(202);
    const leadId = res.body.id as string;
    const start = new Date(Date.now() + suffix * DAY);
    start.setUTCHours(15, 0, 0, 0);
    const booked = await request(stack.app)
      .post(`/v1/leads/${leadId}/appointment`)
      .set(as(ownerKey))
      .send({ start: start.toISOString() });
    expect(booked.status).toBe(201);
    for (const step of [{ status: 'in_progress' }, { status: 'finished', amountCents }]) {
      const marked = await request(stack.app).post(`/v1/leads/${leadId}/job`).set(as(ownerKey)).send(step);
      expect(marked.status).toBe(200);
    }
    return leadId;
  }

  const paidEvent = (object: Record<string, unknown>) => ({
    id: `evt_${randomUUID().replace(/-/g, '')}`,
    object: 'event',
    type: 'invoice.paid',
    created: Math.floor(Date.now() / 1000),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
  });

  it('shows the invoice open with its hosted link, then paid after the webhook, then the review request', async () => {
    const leadId = await finishedLead(18_500, 1);
    await expect.poll(async () => (await lead(leadId)).workflow.invoice?.status, { timeout: 30_000 }).toBe('open');
    const { workflow } = await lead(leadId);
    expect(workflow.job?.status).toBe('finished');
    expect(workflow.invoice).toMatchObject({ amountCents: 18_500, remindersSent: 0, paidAt: null });
    expect(workflow.invoice!.link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/i\//);
    expect(Date.parse(workflow.invoice!.openedAt!)).toBeGreaterThan(Date.now() - 60_000);
    // Nothing is asked for a review while the invoice is unpaid.
    expect(workflow.reviewRequest).toBeNull();

    const row = await stack.database.db.jobInvoice.findFirstOrThrow({ where: { leadId } });
    const paidObject = { ...fake.objects.get(row.stripeInvoiceId!)!, status: 'paid', amount_paid: 18_500 };
    const payload = JSON.stringify(paidEvent(paidObject));
    const hook = await request(stack.app)
      .post('/v1/webhooks/stripe')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', signer.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }))
      .send(payload);
    expect(hook.status).toBe(200);
    await expect.poll(async () => (await lead(leadId)).workflow.invoice?.status, { timeout: 30_000 }).toBe('paid');
    expect((await lead(leadId)).workflow.invoice!.paidAt).not.toBeNull();

    // Paid: the review request goes out, and its one reminder is due three days later.
    await expect
      .poll(async () => (await lead(leadId)).workflow.reviewRequest?.status, { timeout: 30_000 })
      .toBe('reminder_due');
    const review = (await lead(leadId)).workflow.reviewRequest!;
    expect(review).toMatchObject({ dueFrom: null, stoppable: true });
    expect(Date.parse(review.reminderDueAt!) - Date.parse(review.askedAt!)).toBe(3 * DAY);

    const stop = await request(stack.app).post(`/v1/leads/${leadId}/review-request/stop`).set(as(ownerKey));
    expect(stop.status).toBe(202);
    await expect
      .poll(async () => (await lead(leadId)).workflow.reviewRequest?.status, { timeout: 30_000 })
      .toBe('stopped');
    expect((await lead(leadId)).workflow.reviewRequest).toMatchObject({
      askedAt: review.askedAt,
      reminderDueAt: null,
      stoppedAt: expect.any(String),
      stoppable: false,
    });
  }, 120_000);

  it('a job finished with no amount has no invoice and goes straight to the review request', async () => {
    const leadId = await finishedLead(undefined, 2);
    await expect
      .poll(async () => (await lead(leadId)).workflow.reviewRequest?.status, { timeout: 30_000 })
      .toBe('reminder_due');
    expect((await lead(leadId)).workflow.invoice).toBeNull();
    // Another business's key sees nothing of it.
    expect((await request(stack.app).get(`/v1/leads/${leadId}`).set(as(otherKey))).status).toBe(404);
  }, 120_000);

  it('documents the fields in the OpenAPI schema, bounded', async () => {
    const doc = (await request(stack.app).get('/openapi.json')).body as {
      components: { schemas: Record<string, { properties: Record<string, Record<string, unknown>> }> };
    };
    const { LeadInvoice, LeadReviewRequest, LeadWorkflowState } = doc.components.schemas;
    expect(Object.keys(LeadWorkflowState!.properties)).toEqual(expect.arrayContaining(['invoice', 'reviewRequest']));
    expect(LeadInvoice!.properties.status!.enum).toEqual(['creating', 'open', 'paid', 'failed']);
    expect(LeadInvoice!.properties.link!.maxLength).toBe(2048);
    expect(LeadInvoice!.properties.amountCents).toMatchObject({ minimum: 0, maximum: 100_000_000 });
    expect(LeadReviewRequest!.properties.status!.enum).toEqual([
      'due',
      'reminder_due',
      'stopped',
      'reminder_sent',
      'ended',
      'not_sent',
    ]);
  });
});
