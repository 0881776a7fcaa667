import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import Stripe from 'stripe';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../api/routes/businesses';
import { derivePrivacyKeys } from '../../domain/crypto/privacy-keys';
import { withTenant } from '../../db/tenant';
import { createStripeClient } from '../../services/invoices/stripe-client';
import { startStripeFake, type StripeFake } from '../fakes/stripe-fake';
import { createBusiness } from '../support/business';
import { createUser } from '../support/people';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';
import { captureScreen, ensureAppBuilt, launchBrowser, listen, signIn } from './app-harness';

const CONSENT = 'I agree to receive texts from Rivera Plumbing about my request. Reply STOP to opt out.';
const OWNER = { email: 'owner@invoices.example', password: 'correct horse battery staple 9' };
const WEBHOOK_SECRET = 'whsec_app_invoice_review';
const DAY = 86_400_000;

/**
 * After the job on the conversation screen: the invoice open with its hosted link, paid once
 * the signed invoice.paid webhook arrives (a Stripe-speaking fake behind the real worker), then
 * the review request, stopped by the business through a confirm dialog.
 */
describe('the app: a job’s invoice and review request', () => {
  let stack: Stack;
  let fake: StripeFake;
  let browser: Browser;
  let server: Server;
  let origin = '';
  let ownerKey = '';
  const signer = new Stripe('sk_test_signer');

  const asOwner = (path: string, init: RequestInit = {}) =>
    fetch(`${origin}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${ownerKey}`, 'Content-Type': 'application/json', ...init.headers },
    });

  beforeAll(async () => {
    await ensureAppBuilt();
    fake = await startStripeFake();
    stack = await startStack({
      privacyKeys: derivePrivacyKeys(randomBytes(32)),
      stripe: createStripeClient({ secretKey: 'sk_test_app', apiBaseUrl: fake.url }),
      app: {
        settings: {
          localSms: true,
          widgetDemo: false,
          stripeWebhookSecret: WEBHOOK_SECRET,
          stripeSecretKey: 'sk_test_app',
          stripeApiBaseUrl: fake.url,
        },
      },
    });
    ({ server, origin } = await listen(stack.app));
    const business = await createBusiness(stack.database.db, {
      consentText: CONSENT,
      reviewUrl: 'https://g.page/r/rivera-plumbing/review',
    });
    ownerKey = (await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'owner', 'test')))
      .key;
    await createUser(stack.database.db, business.id, { ...OWNER, role: 'owner', name: 'Luis Ortiz' });
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await stack?.close();
    await fake?.close();
  });

  const signedIn = (): Promise<Page> => signIn(browser, origin, OWNER);

  async function startedJob(name: string): Promise<string> {
    const res = await asOwner('/v1/leads', {
      method: 'POST',
      body: JSON.stringify({ name, phone: await daytimePhone(71), consent: { text: CONSENT } }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    for (let i = 0; i < 300 && (await stack.database.db.lead.count({ where: { id } })) === 0; i += 1)
      await new Promise((r) => setTimeout(r, 100));
    const start = new Date(Date.now() + DAY);
    start.setUTCHours(15, 0, 0, 0);
    const booked = await asOwner(`/v1/leads/${id}/appointment`, {
      method: 'POST',
      body: JSON.stringify({ start: start.toISOString() }),
    });
    expect(booked.status).toBe(201);
    const started = await asOwner(`/v1/leads/${id}/job`, {
      method: 'POST',
      body: JSON.stringify({ status: 'in_progress' }),
    });
    expect(started.status).toBe(200);
    return id;
  }

  const reviewOf = async (leadId: string) =>
    (
      (await (await asOwner(`/v1/leads/${leadId}`)).json()) as {
        workflow: { reviewRequest: { status: string } | null };
      }
    ).workflow.reviewRequest;

  /** Stripe's invoice.paid for the lead's invoice, signed as Stripe signs it, to the real webhook route. */
  async function stripeSaysPaid(leadId: string) {
    const row = await stack.database.db.jobInvoice.findFirstOrThrow({ where: { leadId } });
    const object = { ...fake.objects.get(row.stripeInvoiceId!)!, status: 'paid', amount_paid: row.amountCents };
    const payload = JSON.stringify({
      id: `evt_${randomUUID().replace(/-/g, '')}`,
      object: 'event',
      type: 'invoice.paid',
      created: Math.floor(Date.now() / 1000),
      data: { object },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
    });
    const res = await fetch(`${origin}/v1/webhooks/stripe`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Stripe-Signature': signer.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }),
      },
      body: payload,
    });
    expect(res.status).toBe(200);
    return row.hostedUrl!;
  }

  it('shows the finished job’s invoice open with its link, paid after the webhook, and stops the review request', async () => {
    const leadId = await startedJob('Rosa Delgado');
    const page = await signedIn();
    await page.goto(`${origin}/app/inbox/${leadId}`);
    const job = page.getByRole('region', { name: 'Job' });
    await job.getByLabel('Amount in dollars (optional)').fill('185');
    await job.getByRole('button', { name: 'Finish the job' }).click();

    const after = page.getByRole('region', { name: 'Invoice and review' });
    const invoice = after.getByRole('definition').first();
    await expect.poll(() => invoice.textContent(), { timeout: 30_000 }).toBe('Open (unpaid)');
    expect(await after.textContent()).toContain('$185.00');
    const link = after.getByRole('link', { name: 'Open the invoice (new tab)' });
    const row = await stack.database.db.jobInvoice.findFirstOrThrow({ where: { leadId } });
    expect(await link.getAttribute('href')).toBe(row.hostedUrl);
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toContain('noopener');
    // Nothing to stop while the invoice is unpaid: the review request comes after payment.
    expect(await after.getByRole('button', { name: 'Stop review request' }).count()).toBe(0);
    await captureScreen(page, 'job-invoice');

    await stripeSaysPaid(leadId);
    await expect.poll(() => invoice.textContent(), { timeout: 30_000 }).toBe('Paid');
    const review = after.getByRole('group', { name: 'Review request' }).getByRole('definition');
    await expect.poll(() => review.textContent(), { timeout: 30_000 }).toMatch(/^Asked .+; reminder due /);

    // Dismissed, nothing changes.
    await after.getByRole('button', { name: 'Stop review request' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Stop the review request?' });
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await reviewOf(leadId))?.status).toBe('reminder_due');

    await after.getByRole('button', { name: 'Stop review request' }).click();
    await dialog.getByRole('button', { name: 'Stop it' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => review.textContent(), { timeout: 30_000 }).toMatch(/^Asked .+; stopped .+, no reminder$/);
    expect(await after.getByRole('button', { name: 'Stop review request' }).count()).toBe(0);
    expect((await reviewOf(leadId))?.status).toBe('stopped');
    await captureScreen(page, 'job-review-stopped');
    await page.context().close();
  }, 180_000);
});
