import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../db/tenant';
import { createKey } from '../../services/api-keys/create-api-key';
import { createBusiness } from '../support/business';
import { createUser } from '../support/people';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';
import { ensureAppBuilt, launchBrowser, listen } from './app-harness';

const CONSENT = 'I agree to receive texts from Rivera Plumbing about my request. Reply STOP to opt out.';
const OWNER = { email: 'owner@rivera.example', password: 'correct horse battery staple 1' };

/**
 * The other app tests bypass the page's Content-Security-Policy so axe-core can be injected.
 * This one keeps it: every screen loads, draws its charts and follows the live stream under
 * the policy the API sends, with no violation reported and no script error.
 */
describe('the app under its own Content-Security-Policy', () => {
  let stack: Stack;
  let browser: Browser;
  let server: Server;
  let origin = '';

  beforeAll(async () => {
    await ensureAppBuilt();
    stack = await startStack();
    ({ server, origin } = await listen(stack.app));
    const business = await createBusiness(stack.database.db, { consentText: CONSENT });
    const key = (await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'owner', 't')))
      .key;
    await createUser(stack.database.db, business.id, { ...OWNER, role: 'owner', name: 'Ana Rivera' });
    const res = await fetch(`${origin}/v1/leads`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Dana Whitfield', phone: await daytimePhone(31), consent: { text: CONSENT } }),
    });
    expect(res.status).toBe(202);
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await stack?.close();
  });

  it('signs in and opens every screen with no CSP violation and no page error', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page: Page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text()))
        problems.push(`console: ${msg.text()}`);
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`Refused to load: ${e.violatedDirective} ${e.blockedURI}`);
      });
    });

    const response = await page.goto(`${origin}/app/sign-in`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
    await page.getByRole('link', { name: /Dana Whitfield/ }).waitFor();

    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const screen of ['Bookings', 'Dashboard', 'Settings', 'Compliance', 'Inbox']) {
      await nav.getByRole('link', { name: screen }).click();
      await page.getByRole('heading', { name: screen, level: 1 }).waitFor();
    }
    await page.waitForLoadState('networkidle').catch(() => {});
    expect(problems).toEqual([]);
    await context.close();
  });
});
