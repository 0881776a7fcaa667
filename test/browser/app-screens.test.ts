import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../api/routes/businesses';
import { derivePrivacyKeys } from '../../domain/crypto/privacy-keys';
import { withTenant } from '../../db/tenant';
import { createBusiness } from '../support/business';
import { createUser } from '../support/people';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';
import { browserStorage, captureScreen, ensureAppBuilt, launchBrowser, listen, signIn } from './app-harness';

const ZONE = 'America/New_York';
const CONSENT = 'I agree to receive texts from Rivera Plumbing about my request. Reply STOP to opt out.';
const OWNER = { email: 'owner@screens.example', password: 'correct horse battery staple 3' };
const COMPLIANCE = { email: 'privacy@screens.example', password: 'a compliance passphrase 44' };

/** A calendar day in the business's zone, n days from now. */
const dayInZone = (n: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(Date.now() + n * 86_400_000),
  );

/**
 * The bookings, dashboard, settings and compliance screens in headless Chromium against the
 * real stack, found by role and accessible name; each captured at 1280 and 375 px with axe-core.
 */
describe('the app: bookings, dashboard, settings and compliance', () => {
  let stack: Stack;
  let browser: Browser;
  let server: Server;
  let origin = '';
  let businessId = '';
  let ownerKey = '';
  const leads = { maria: '', jon: '' };
  let jonStart = '';

  const asOwner = (path: string, init: RequestInit = {}) =>
    fetch(`${origin}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${ownerKey}`, 'Content-Type': 'application/json', ...init.headers },
    });

  async function capture(name: string, phone: string): Promise<string> {
    const res = await asOwner('/v1/leads', {
      method: 'POST',
      body: JSON.stringify({ name, phone, consent: { text: CONSENT } }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    // The lead's workflow writes the row a moment after the 202.
    for (let i = 0; i < 300 && (await stack.database.db.lead.count({ where: { id } })) === 0; i += 1)
      await new Promise((r) => setTimeout(r, 100));
    return id;
  }

  beforeAll(async () => {
    await ensureAppBuilt();
    stack = await startStack({ privacyKeys: derivePrivacyKeys(randomBytes(32)) });
    ({ server, origin } = await listen(stack.app));
    const business = await createBusiness(stack.database.db, { consentText: CONSENT, timeZone: ZONE });
    businessId = business.id;
    ownerKey = (await withTenant(stack.database.db, businessId, (tx) => createKey(tx, businessId, 'owner', 'test')))
      .key;
    await createUser(stack.database.db, businessId, { ...OWNER, role: 'owner', name: 'Ana Rivera' });
    await createUser(stack.database.db, businessId, { ...COMPLIANCE, role: 'compliance', name: 'Priya Shah' });
    leads.maria = await capture('Maria Lopez', await daytimePhone(71));
    leads.jon = await capture('Jon Park', await daytimePhone(72));
    // Jon's appointment starts within two minutes, so the test can mark its outcome once it began.
    jonStart = new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 60_000).toISOString();
    const booked = await asOwner(`/v1/leads/${leads.jon}/appointment`, {
      method: 'POST',
      body: JSON.stringify({ start: jonStart }),
    });
    expect(booked.status).toBe(201);
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await stack?.close();
  });

  /** Signs in through the sign-in screen; the app lands on the first screen the person's role opens. */
  const signedIn = (who: { email: string; password: string }, lands = 'Inbox'): Promise<Page> =>
    signIn(browser, origin, who, lands);

  const appointmentOf = (page: Page, name: string) => page.getByRole('listitem').filter({ hasText: name });
  const texts = async (leadId: string) => {
    const res = await asOwner(`/v1/dev/outbox?leadId=${leadId}`);
    return ((await res.json()) as { data: Array<{ kind: string; body: string }> }).data;
  };

  it('books a slot in the week view (the lead gets the confirmation), moves it, cancels it, and marks a started one completed', async () => {
    const page = await signedIn(OWNER);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bookings' }).click();
    await page.getByRole('heading', { name: 'Bookings', level: 1 }).waitFor();

    const day = dayInZone(2);
    await page.getByLabel('Lead', { exact: true }).selectOption(leads.maria);
    await page.getByLabel('Date', { exact: true }).fill(day);
    await page.getByLabel('Time', { exact: true }).fill('10:00');
    await page.getByRole('button', { name: 'Book', exact: true }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Booked' }).textContent())
      .toContain(`Booked Maria Lopez on ${day} at 10:00`);
    const maria = appointmentOf(page, 'Maria Lopez');
    await expect.poll(() => maria.textContent()).toMatch(/10:00–11:00 Maria Lopez.*Booked/);
    await expect
      .poll(async () => (await texts(leads.maria)).filter((t) => t.kind === 'confirmation').length, { timeout: 30_000 })
      .toBe(1);
    const row = await stack.database.db.appointment.findFirstOrThrow({ where: { leadId: leads.maria } });
    expect(
      row.startsAt.toLocaleString('en-US', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hour12: false }),
    ).toBe('10:00');

    await maria.getByRole('button', { name: 'Move' }).click();
    const move = page.getByRole('dialog', { name: 'Move Maria Lopez’s appointment' });
    await move.getByLabel('New time').fill('14:30');
    await move.getByRole('button', { name: 'Save new time' }).click();
    await move.waitFor({ state: 'detached' });
    await expect.poll(() => maria.textContent()).toMatch(/14:30–15:30 Maria Lopez/);
    await expect
      .poll(async () => (await texts(leads.maria)).filter((t) => t.kind === 'confirmation').length, { timeout: 30_000 })
      .toBe(2);

    await maria.getByRole('button', { name: 'Cancel' }).click();
    const cancel = page.getByRole('alertdialog', { name: 'Cancel this appointment?' });
    await cancel.getByRole('button', { name: 'Cancel appointment' }).click();
    await cancel.waitFor({ state: 'detached' });
    await expect.poll(() => maria.textContent()).toMatch(/Cancelled/);
    expect((await stack.database.db.appointment.findUniqueOrThrow({ where: { id: row.id } })).status).toBe('cancelled');
    await expect.poll(async () => (await texts(leads.maria))[0]?.body, { timeout: 30_000 }).toMatch(/cancelled/);
    await captureScreen(page, 'bookings');

    // Jon's appointment began a moment ago: its outcome can be marked from the week it falls in.
    const wait = Date.parse(jonStart) - Date.now() + 1000;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await page.getByRole('button', { name: 'This week' }).click();
    await page.reload();
    const jon = appointmentOf(page, 'Jon Park');
    await jon.getByRole('button', { name: 'Mark completed' }).click();
    await expect.poll(() => jon.textContent(), { timeout: 20_000 }).toMatch(/Completed/);
    expect((await stack.database.db.appointment.findFirstOrThrow({ where: { leadId: leads.jon } })).status).toBe(
      'completed',
    );
    // Names and phones were on screen; none of it stays in the browser.
    expect(await browserStorage(page)).toEqual({ localStorage: [], sessionStorage: [], indexedDB: [] });
    await page.context().close();
  }, 300_000);

  it('shows the day’s figures on the dashboard, and each chart’s data as a table', async () => {
    const page = await signedIn(OWNER);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    const today = page.getByRole('region', { name: /^Today/ });
    const figure = (label: string) =>
      today
        .getByRole('term')
        .filter({ hasText: new RegExp(`^${label}$`) })
        .locator('xpath=following-sibling::dd[1]');
    await expect.poll(() => figure('Leads').textContent(), { timeout: 15_000 }).toBe('2');
    expect(await figure('Booking rate').textContent()).toBe('100%');
    const leadsTable = page.getByRole('table', { name: 'Leads per day, by day' });
    await expect
      .poll(() => leadsTable.getByRole('row', { name: new RegExp(`^${dayInZone(0)}`) }).textContent())
      .toBe(`${dayInZone(0)}2`);
    expect(await page.getByRole('table', { name: 'Time to first reply, by day' }).count()).toBe(1);
    expect(
      await page.getByRole('table', { name: 'Leads by source' }).getByRole('row', { name: /api/ }).textContent(),
    ).toBe('api2');
    await captureScreen(page, 'dashboard');
    await page.context().close();
  }, 120_000);

  it('keeps settings in tabs: a key is shown once and revoked; a CSV preview lists the row with a bad phone', async () => {
    const page = await signedIn(OWNER);
    await page.goto(`${origin}/app/settings`);
    await page.getByRole('tab', { name: 'Hours and services' }).waitFor();
    expect(await page.getByLabel('Service 1 name').inputValue()).toBe('Drain cleaning');
    await captureScreen(page, 'settings');

    await page.getByRole('tab', { name: 'API keys' }).click();
    // The tab is in the address: a reload comes back to it, and the main navigation still marks Settings.
    await expect.poll(() => new URL(page.url()).pathname).toBe('/app/settings/keys');
    await page.reload();
    await page.getByLabel('Label').waitFor();
    expect(await page.getByRole('tab', { name: 'API keys' }).getAttribute('aria-selected')).toBe('true');
    expect(
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Settings' })
        .getAttribute('aria-current'),
    ).toBe('page');
    await page.getByLabel('Label').fill('website');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = await page.getByLabel('New API key').textContent();
    expect(shown).toMatch(/^lf_/);
    await page.getByRole('button', { name: /^Revoke key .* \(website\)$/ }).click();
    await expect.poll(() => page.getByRole('row', { name: /website/ }).textContent()).toMatch(/Revoked/);

    await page.getByRole('tab', { name: 'Import customers' }).click();
    await page.getByLabel('CSV file').setInputFiles({
      name: 'customers.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('name,phone\nRosa Delgado,(212) 555-0142\nBad Number,555-12\n'),
    });
    await page.getByRole('button', { name: 'Preview import' }).click();
    const problems = page.getByRole('table', { name: 'Rows with problems' });
    await expect
      .poll(() => problems.getByRole('row', { name: /^3/ }).textContent(), { timeout: 15_000 })
      .toMatch(/phone/);
    await page.getByRole('button', { name: 'Import valid rows' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Imported from' }).count()).toBe(1);
    await page.context().close();
  }, 120_000);

  it('lets a compliance user open a deletion request and see its countdown; the receipt chain is verified', async () => {
    const page = await signedIn(COMPLIANCE, 'Compliance');
    await page.getByLabel('Request type').selectOption('deletion');
    await page.getByLabel('Lead id').first().fill(leads.maria);
    await page.getByLabel('Verification').selectOption('code_to_phone');
    await page.getByRole('button', { name: 'Open request' }).click();
    const requests = page.getByRole('table', { name: 'Soonest due first' });
    const row = requests.getByRole('row', { name: /^deletion/ });
    await expect
      .poll(() => row.getByRole('cell').nth(2).textContent(), { timeout: 15_000 })
      .toMatch(/^(29 days 23 hours|30 days 0 hours) left$/);
    const opened = await stack.database.db.privacyRequest.findFirstOrThrow({
      where: { businessId, leadId: leads.maria },
    });
    expect(opened.type).toBe('deletion');
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Hash chain' }).textContent())
      .toBe('Hash chain verified: all 0 receipts link up.');

    expect(await page.getByRole('button', { name: 'Run retention now' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Start a dry run' }).click();
    await expect
      .poll(() => page.getByText(/^Dry run (running|completed)/).textContent(), { timeout: 30_000 })
      .toMatch(/completed/);
    const runs = page.getByRole('table', { name: 'Recent runs' });
    await expect.poll(() => runs.getByRole('row', { name: /Dry run/ }).textContent()).toMatch(/completed/);
    expect(await page.getByRole('button', { name: 'Run retention now' }).isDisabled()).toBe(false);
    await captureScreen(page, 'compliance');

    await page.getByRole('button', { name: 'Run retention now' }).click();
    await page
      .getByRole('alertdialog', { name: 'Delete expired data now?' })
      .getByRole('button', { name: 'Delete expired data' })
      .click();
    await expect
      .poll(() => page.getByText(/^Run (running|completed)/).textContent(), { timeout: 30_000 })
      .toMatch(/completed/);
    await expect.poll(() => runs.getByRole('row', { name: /Deletion/ }).textContent()).toMatch(/completed/);
    expect(await browserStorage(page)).toEqual({ localStorage: [], sessionStorage: [], indexedDB: [] });
    await page.context().close();
  }, 120_000);
});
