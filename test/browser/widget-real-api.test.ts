import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../api/routes/businesses';
import { renderDemoPage } from '../../api/widget/demo-page';
import { withTenant } from '../../db/tenant';
import { ensureChromium } from '../../scripts/toolchain/chromium';
import { ROOT } from '../../scripts/toolchain/paths';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

const CONSENT =
  'I agree to receive texts from Rivera Plumbing & Heating about my request. Msg & data rates may apply. Reply STOP to opt out.';
const ARTIFACTS = join(ROOT, 'test-artifacts');

function listen(app: express.Express): Promise<{ server: Server; origin: string }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () =>
      resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    );
  });
}

/**
 * The widget end to end in headless Chromium: a business's site on one origin embeds
 * /widget.js from the real API (real Temporal, worker and Postgres) on another.
 */
describe('the capture widget against the real API', () => {
  let stack: Stack;
  let browser: Browser;
  const servers: Server[] = [];
  let siteOrigin = '';
  let businessId = '';

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    stack = await startStack();
    const api = await listen(stack.app);
    let widgetKey = '';
    const site = await listen(
      express().get('/', (_req, res) => {
        const page = renderDemoPage({
          key: widgetKey,
          scriptSrc: `${api.origin}/widget.js`,
          nonce: randomBytes(16).toString('base64'),
        });
        res.set('Content-Security-Policy', page.csp).type('html').send(page.html);
      }),
    );
    siteOrigin = site.origin;
    servers.push(api.server, site.server);
    const business = await createBusiness(stack.database.db, { consentText: CONSENT, allowedOrigins: [siteOrigin] });
    businessId = business.id;
    widgetKey = (await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'widget', 'site')))
      .key;
    browser = await chromium.launch({
      executablePath: await ensureChromium(),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    await stack?.close();
  });

  it('creates the lead with the exact consent text, and its first reply goes out', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 740 } });
    const page = await context.newPage();
    await page.goto(`${siteOrigin}/?utm_source=flyer`);
    await page.getByRole('button', { name: 'Text me back' }).waitFor();
    const phone = await daytimePhone(61);
    await page.getByLabel('Name', { exact: true }).fill('Maria Lopez');
    await page.getByLabel('Phone', { exact: true }).fill(phone);
    await page.getByLabel('How can we help? (optional)').fill('Water heater is making a banging noise.');
    await page.getByRole('checkbox').check();
    await page.screenshot({ path: join(ARTIFACTS, 'widget-real-api.png'), fullPage: true });
    await page.getByRole('button', { name: 'Text me back' }).click();
    await page.getByText('Thanks, Maria! We’ll text you shortly.').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'widget-real-api-thanks.png'), fullPage: true });

    // The API answered 202; the lead's workflow writes it a moment later.
    await expect
      .poll(() => stack.database.db.lead.count({ where: { businessId, phone } }), { timeout: 30_000 })
      .toBe(1);
    const lead = await stack.database.db.lead.findFirstOrThrow({
      where: { businessId, phone },
      include: { consentRecords: true },
    });
    expect(lead).toMatchObject({
      name: 'Maria Lopez',
      source: 'widget',
      message: 'Water heater is making a banging noise.',
    });
    expect(lead.consentRecords[0]).toMatchObject({
      consentText: CONSENT,
      pageUrl: `${siteOrigin}/?utm_source=flyer`,
      method: 'widget',
    });
    await expect
      .poll(
        () =>
          stack.database.db.message.count({
            where: { leadId: lead.id, direction: 'outbound', providerId: { not: null } },
          }),
        { timeout: 30_000 },
      )
      .toBe(1);
    await context.close();
  });

  it('shows an error for a phone it cannot text, and nothing reaches the API', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 740 } });
    const page = await context.newPage();
    const before = await stack.database.db.lead.count({ where: { businessId } });
    await page.goto(siteOrigin);
    await page.getByRole('button', { name: 'Text me back' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Maria Lopez');
    await page.getByLabel('Phone', { exact: true }).fill('555-12');
    await page.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Text me back' }).click();
    await expect
      .poll(() => page.locator('#lf-phone-error').textContent())
      .toBe('Enter a phone number we can text, e.g. (555) 123-4567');
    await page.screenshot({ path: join(ARTIFACTS, 'widget-real-api-error.png'), fullPage: true });
    expect(await stack.database.db.lead.count({ where: { businessId } })).toBe(before);
    await context.close();
  });
});
