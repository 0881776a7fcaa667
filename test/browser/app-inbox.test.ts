import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../api/routes/businesses';
import { withTenant } from '../../db/tenant';
import { createBusiness } from '../support/business';
import { createUser } from '../support/people';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';
import { browserStorage, captureScreen, ensureAppBuilt, launchBrowser, listen } from './app-harness';

const SITE = 'https://rivera-plumbing.example';
const CONSENT = 'I agree to receive texts from Rivera Plumbing about my request. Reply STOP to opt out.';
const OWNER = { email: 'owner@rivera.example', password: 'correct horse battery staple 1' };
const OPERATOR = { email: 'tech@rivera.example', password: 'another long passphrase 22', name: 'Sam Tech' };

/**
 * The business app in headless Chromium against the real stack (API, worker, Temporal,
 * Postgres): people sign in, the inbox follows leads live, a person replies and hands back.
 * Everything is found by role and accessible name.
 */
describe('the app: people and the live inbox', () => {
  let stack: Stack;
  let browser: Browser;
  let server: Server;
  let origin = '';
  let businessId = '';
  let ownerKey = '';
  let widgetKey = '';
  let operatorContext: BrowserContext;
  let operator: Page;
  let leadId = '';
  let leadPhone = '';

  const asOwner = async (path: string, init: RequestInit = {}) =>
    fetch(`${origin}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${ownerKey}`, 'Content-Type': 'application/json', ...init.headers },
    });

  beforeAll(async () => {
    await ensureAppBuilt();
    stack = await startStack();
    ({ server, origin } = await listen(stack.app));
    const business = await createBusiness(stack.database.db, { consentText: CONSENT, allowedOrigins: [SITE] });
    businessId = business.id;
    ownerKey = (await withTenant(stack.database.db, businessId, (tx) => createKey(tx, businessId, 'owner', 'test')))
      .key;
    widgetKey = (await withTenant(stack.database.db, businessId, (tx) => createKey(tx, businessId, 'widget', 'site')))
      .key;
    await createUser(stack.database.db, businessId, { ...OWNER, role: 'owner', name: 'Ana Rivera' });
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await stack?.close();
  });

  const newContext = () => browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });

  async function signIn(page: Page, who: { email: string; password: string }) {
    await page.goto(`${origin}/app/inbox`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Email').fill(who.email);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
  }

  it('refuses a wrong password, then signs the owner in, who invites an operator', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/app/inbox`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/app/sign-in');
    await captureScreen(page, 'sign-in');
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 }).toContain('do not match');

    await signIn(page, OWNER);
    // The owner invites from the browser, with the session cookie and the session's CSRF token.
    const invited = await page.evaluate(async (email) => {
      const session = (await (await fetch('/v1/auth/session')).json()) as { csrfToken: string };
      const res = await fetch('/v1/invitations', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrfToken },
        body: JSON.stringify({ email, role: 'operator' }),
      });
      return res.status;
    }, OPERATOR.email);
    expect(invited).toBe(201);
    await context.close();
  });

  it('lets the operator accept the invitation from the email and sign in', async () => {
    const emails = (await (await asOwner('/v1/dev/emails')).json()) as { data: { to: string; body: string }[] };
    const invitation = emails.data.find((e) => e.to === OPERATOR.email);
    const link = /https?:\/\/\S+\/app\/accept-invitation#token=[^\s"<>]+/.exec(invitation?.body ?? '')?.[0];
    expect(link).toBeDefined();
    const { pathname, hash } = new URL(link!);

    operatorContext = await newContext();
    operator = await operatorContext.newPage();
    await operator.goto(`${origin}${pathname}${hash}`);
    await operator.getByRole('heading', { name: 'Accept your invitation' }).waitFor();
    // The token leaves the address bar as soon as the screen has read it.
    await expect.poll(() => new URL(operator.url()).hash).toBe('');
    await captureScreen(operator, 'accept-invitation');
    await operator.getByLabel('Your name').fill(OPERATOR.name);
    await operator.getByLabel('Password', { exact: true }).fill(OPERATOR.password);
    await operator.getByLabel('Repeat the password').fill(OPERATOR.password);
    await operator.getByRole('button', { name: 'Set password and sign in' }).click();
    await operator.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();

    await operator.getByRole('button', { name: 'Sign out' }).click();
    await operator.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signIn(operator, OPERATOR);
    await captureScreen(operator, 'inbox');
  });

  it('shows a lead captured through the widget in the inbox live, within 2 seconds, without a reload', async () => {
    leadPhone = await daytimePhone(17);
    const navigations: string[] = [];
    operator.on('framenavigated', (frame) => {
      if (frame === operator.mainFrame()) navigations.push(frame.url());
    });
    // What the widget on the business's site sends: its publishable key, from an allowed origin.
    const res = await fetch(`${origin}/v1/leads`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${widgetKey}`, Origin: SITE, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name: 'Dana Whitfield',
        phone: leadPhone,
        message: 'Water heater leaking',
        consent: { text: CONSENT, pageUrl: `${SITE}/contact` },
      }),
    });
    expect(res.status).toBe(202);
    leadId = ((await res.json()) as { id: string }).id;
    const started = Date.now();
    await operator.getByRole('link', { name: /Dana Whitfield/ }).waitFor({ timeout: 2_000 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(navigations).toEqual([]);

    // Search by name or phone, and filter by status.
    const search = operator.getByRole('searchbox', { name: 'Search by name or phone' });
    await search.fill('whitf');
    await operator.getByRole('link', { name: /Dana Whitfield/ }).waitFor();
    await search.fill(leadPhone.slice(-7));
    await operator.getByRole('link', { name: /Dana Whitfield/ }).waitFor();
    await search.fill('Nobody Bythatname');
    await operator.getByText('No leads match.').waitFor();
    await search.fill('');
    await operator.getByLabel('Status').selectOption({ label: 'Booked' });
    await operator.getByText('No leads match.').waitFor();
    await operator.getByLabel('Status').selectOption({ label: 'Any status' });
    await operator.getByRole('link', { name: /Dana Whitfield/ }).waitFor();
  });

  it('pages through older leads', async () => {
    const older = Array.from({ length: 60 }, (_, i) => ({
      id: randomUUID(),
      businessId,
      name: `Older Lead ${String(i).padStart(2, '0')}`,
      phone: `+1212555${String(2000 + i)}`,
      createdAt: new Date(Date.UTC(2025, 0, 1, 12, i)),
      lastActivityAt: new Date(Date.UTC(2025, 0, 1, 12, i)),
    }));
    await stack.database.db.lead.createMany({ data: older });
    await operator.reload();
    const list = operator.getByRole('list', { name: 'Leads, newest activity first' });
    await list.getByRole('link', { name: /Older Lead 59/ }).waitFor();
    // The first page is 50 leads: Dana and the 49 most recent of the older ones.
    await expect.poll(() => list.getByRole('link').count()).toBe(50);
    expect(await list.getByRole('link', { name: /Older Lead 00/ }).count()).toBe(0);
    await operator.getByRole('button', { name: 'Show older leads' }).click();
    await list.getByRole('link', { name: /Older Lead 00/ }).waitFor();
    expect(await list.getByRole('link').count()).toBe(61);
    expect(await operator.getByRole('button', { name: 'Show older leads' }).count()).toBe(0);
    expect(await list.getByRole('link').first().textContent()).toContain('Dana Whitfield');
  });

  it('shows an alert live in the inbox, within 2 seconds of it being raised', async () => {
    await asOwner('/v1/dev/inbound-sms', {
      method: 'POST',
      body: JSON.stringify({ from: leadPhone, body: 'Can I talk to a real person please?' }),
    });
    const alerts = operator.getByRole('list', { name: 'Unread alerts' });
    await alerts.getByText('A lead asked to talk to a person').waitFor({ timeout: 30_000 });
    const shownAt = Date.now();
    const alert = await stack.database.db.alert.findFirstOrThrow({ where: { leadId, kind: 'handoff_requested' } });
    expect(shownAt - alert.createdAt.getTime()).toBeLessThan(2_000);
    await captureScreen(operator, 'inbox-alert');
    await operator.getByRole('button', { name: 'Mark read: A lead asked to talk to a person' }).click();
    await operator.getByText('No unread alerts.').waitFor();
    expect((await stack.database.db.alert.findUniqueOrThrow({ where: { id: alert.id } })).readAt).not.toBeNull();
  });

  it('shows an inbound text live in the conversation, then the operator replies and hands back', async () => {
    await operator.getByRole('link', { name: /Dana Whitfield/ }).click();
    await operator.getByRole('heading', { name: 'Dana Whitfield', level: 1 }).waitFor();
    const messages = operator.getByRole('list', { name: 'Messages' });

    const inbound = await asOwner('/v1/dev/inbound-sms', {
      method: 'POST',
      body: JSON.stringify({ from: leadPhone, body: 'Is anyone free tomorrow morning?' }),
    });
    expect(inbound.status).toBe(202);
    await messages.getByText('Is anyone free tomorrow morning?').waitFor({ timeout: 2_000 });
    await captureScreen(operator, 'conversation');

    await operator.getByLabel('Reply').fill('Hi Dana, this is Sam. I can come by at 9.');
    await operator.getByRole('button', { name: 'Send reply' }).click();
    await messages.getByText('Hi Dana, this is Sam. I can come by at 9.').waitFor({ timeout: 10_000 });
    await operator.getByRole('status').filter({ hasText: 'Handed off to a person' }).waitFor({ timeout: 10_000 });
    const handedOff = (await (await asOwner(`/v1/leads/${leadId}`)).json()) as { status: string };
    expect(handedOff.status).toBe('handed_off');

    // While a person has the conversation, the assistant does not answer the lead.
    const outbound = () => stack.database.db.message.count({ where: { leadId, direction: 'outbound' } });
    const sentBefore = await outbound();
    await asOwner('/v1/dev/inbound-sms', {
      method: 'POST',
      body: JSON.stringify({ from: leadPhone, body: 'Great, see you at 9' }),
    });
    await messages.getByText('Great, see you at 9').waitFor({ timeout: 2_000 });
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await outbound()).toBe(sentBefore);

    await operator.getByRole('button', { name: 'Hand back to the assistant' }).click();
    await operator
      .getByRole('status')
      .filter({ hasText: 'The assistant is handling this conversation' })
      .waitFor({ timeout: 15_000 });
    expect(await operator.getByRole('button', { name: 'Hand back to the assistant' }).count()).toBe(0);
    await expect
      .poll(async () => ((await (await asOwner(`/v1/leads/${leadId}`)).json()) as { status: string }).status, {
        timeout: 15_000,
      })
      .not.toBe('handed_off');
  });

  it('remembers the dark theme in a cookie, and keeps nothing in browser storage', async () => {
    await operator.getByRole('button', { name: 'Dark theme' }).click();
    const cookies = await operatorContext.cookies();
    expect(cookies.find((c) => c.name === 'leadflow_theme')?.value).toBe('dark');
    await operator.goto(`${origin}/app/inbox`);
    await operator.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
    expect(await operator.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(await operator.getByRole('button', { name: 'Dark theme' }).getAttribute('aria-pressed')).toBe('true');
    await captureScreen(operator, 'inbox-dark');
    // The session cookie is HttpOnly: the page sees only the theme.
    expect(await operator.evaluate(() => document.cookie)).toBe('leadflow_theme=dark');
    expect(await browserStorage(operator)).toEqual({ localStorage: [], sessionStorage: [], indexedDB: [] });
  });

  it('opens a compliance officer’s sign-in on the compliance console, with only the screens the role may use', async () => {
    const officer = { email: 'privacy@rivera.example', password: 'compliance passphrase 333' };
    await createUser(stack.database.db, businessId, { ...officer, role: 'compliance', name: 'Cleo Privacy' });
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/app/sign-in`);
    await page.getByLabel('Email').fill(officer.email);
    await page.getByLabel('Password').fill(officer.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // bcrypt at cost 12 takes a while on a busy machine.
    await expect.poll(() => new URL(page.url()).pathname, { timeout: 15_000 }).toBe('/app/compliance');
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Compliance']);
    // The inbox is not the role's: its address leads back to the console.
    await page.goto(`${origin}/app/inbox`);
    await expect.poll(() => new URL(page.url()).pathname, { timeout: 10_000 }).toBe('/app/compliance');
    await context.close();
  });

  it('resets a forgotten password from the emailed link', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/app/sign-in`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByRole('button', { name: 'Email me a link' }).click();
    await page.getByRole('status').filter({ hasText: 'a link to choose a new password is on its way' }).waitFor();
    await captureScreen(page, 'reset-password');

    let link: string | undefined;
    await expect
      .poll(
        async () => {
          const emails = (await (await asOwner('/v1/dev/emails')).json()) as { data: { to: string; body: string }[] };
          link = emails.data
            .filter((e) => e.to === OWNER.email)
            .map((e) => /https?:\/\/\S+\/app\/reset-password#token=[^\s"<>]+/.exec(e.body)?.[0])
            .find(Boolean);
          return link;
        },
        { timeout: 15_000 },
      )
      .toBeDefined();
    const { pathname, hash } = new URL(link!);
    await page.goto(`${origin}${pathname}${hash}`);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await expect.poll(() => new URL(page.url()).hash).toBe('');
    const newPassword = 'a brand new owner passphrase 4';
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Repeat the new password').fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').filter({ hasText: 'Your password is changed.' }).waitFor({ timeout: 15_000 });
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill(newPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor({ timeout: 15_000 });
    await context.close();
  });

  it('refuses the next request once the session is revoked, and the app returns to sign-in', async () => {
    const revoked = await operator.evaluate(async () => {
      const session = (await (await fetch('/v1/auth/session')).json()) as { csrfToken: string };
      const list = (await (await fetch('/v1/auth/sessions')).json()) as { items: { id: string; current: boolean }[] };
      const current = list.items.find((s) => s.current);
      const res = await fetch(`/v1/auth/sessions/${current?.id}`, {
        method: 'DELETE',
        headers: { 'X-CSRF-Token': session.csrfToken },
      });
      return res.status;
    });
    expect(revoked).toBe(204);
    expect(await operator.evaluate(async () => (await fetch('/v1/leads')).status)).toBe(401);
    await operator.reload();
    await operator.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await browserStorage(operator)).toEqual({ localStorage: [], sessionStorage: [], indexedDB: [] });
    await operatorContext.close();
  });
});
