import type { Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBusiness } from '../support/business';
import { createUser } from '../support/people';
import { startStack, type Stack } from '../support/stack';
import { ensureAppBuilt, launchBrowser, listen } from './app-harness';

const BUDGET_BYTES = 250 * 1024;
const OWNER = { email: 'owner@bundle.example', password: 'a long enough passphrase 9' };

/** The JavaScript a page load fetches, each script gzipped (as the wire would carry it). */
async function scriptsDuring(page: Page, load: () => Promise<void>) {
  const scripts = new Map<string, number>();
  const pending: Promise<void>[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'script') return;
    pending.push(
      response.body().then((body) => {
        scripts.set(new URL(response.url()).pathname, gzipSync(body, { level: 9 }).length);
      }),
    );
  });
  await load();
  await page.waitForLoadState('networkidle');
  await Promise.all(pending);
  return { files: [...scripts.keys()], gzipBytes: [...scripts.values()].reduce((a, b) => a + b, 0) };
}

/** The initial load of the app stays under 250 KB of compressed JavaScript (issue 15; bench/RESULTS.md). */
describe('the app’s initial JavaScript', () => {
  let stack: Stack;
  let browser: Browser;
  let server: Server;
  let origin = '';

  beforeAll(async () => {
    await ensureAppBuilt();
    stack = await startStack();
    ({ server, origin } = await listen(stack.app));
    const business = await createBusiness(stack.database.db);
    await createUser(stack.database.db, business.id, { ...OWNER, role: 'owner' });
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await stack?.close();
  });

  it('is under 250 KB gzipped for /app/sign-in and for /app/inbox', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const signIn = await scriptsDuring(page, async () => {
      await page.goto(`${origin}/app/sign-in`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    });
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();

    // A fresh page with the session: the inbox as a signed-in person first opens it.
    const inboxPage = await context.newPage();
    const inbox = await scriptsDuring(inboxPage, async () => {
      await inboxPage.goto(`${origin}/app/inbox`);
      await inboxPage.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
    });
    await context.close();

    const kb = (bytes: number) => (bytes / 1024).toFixed(1);
    console.log(
      `app initial JavaScript (gzip): /app/sign-in ${kb(signIn.gzipBytes)} KB in ${signIn.files.length} files; ` +
        `/app/inbox ${kb(inbox.gzipBytes)} KB in ${inbox.files.length} files`,
    );
    expect(signIn.files.some((f) => f.startsWith('/app/assets/'))).toBe(true);
    expect(inbox.files.some((f) => /InboxScreen/.test(f))).toBe(true);
    expect(signIn.gzipBytes).toBeLessThan(BUDGET_BYTES);
    expect(inbox.gzipBytes).toBeLessThan(BUDGET_BYTES);
  });
});
