import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../api/routes/businesses';
import { derivePrivacyKeys } from '../../domain/crypto/privacy-keys';
import { withTenant } from '../../db/tenant';
import { startGoogleFake, type GoogleFake } from '../fakes/google-fake';
import { createBusiness } from '../support/business';
import { createUser } from '../support/people';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';
import { captureScreen, ensureAppBuilt, launchBrowser, listen, signIn } from './app-harness';

const CONSENT = 'I agree to receive texts from Rivera Plumbing about my request. Reply STOP to opt out.';
const OWNER = { email: 'owner@controls.example', password: 'correct horse battery staple 5' };
const CLIENT = { clientId: 'leadflow-client.apps.googleusercontent.com', clientSecret: 'GOCSPX-fake-secret' };
const JOBS_CALENDAR = 'c_jobs42@group.calendar.google.com';
const ZONE = 'America/New_York';

/**
 * The app's controls for the APIs that had no screen: the default language and missed-call
 * settings, the Google Calendar connection (through a local server speaking Google's OAuth and
 * Calendar wire formats), and a booked lead's job marked step by step from the conversation.
 */
describe('the app: language, missed calls, Google Calendar and the job', () => {
  let stack: Stack;
  let google: GoogleFake;
  let browser: Browser;
  let server: Server;
  let origin = '';
  let businessId = '';
  let businessName = '';
  let ownerKey = '';
  let phoneSuffix = 60;
  let dayOffset = 0;

  const asOwner = (path: string, init: RequestInit = {}) =>
    fetch(`${origin}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${ownerKey}`, 'Content-Type': 'application/json', ...init.headers },
    });
  const readJson = async <T>(path: string): Promise<T> => {
    const res = await asOwner(path);
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    await ensureAppBuilt();
    google = await startGoogleFake({
      ...CLIENT,
      calendars: [
        { id: 'ana@riveraplumbing.example', summary: 'Ana', accessRole: 'owner', primary: true },
        { id: 'en.usa#holiday@group.v.calendar.google.com', summary: 'Holidays', accessRole: 'reader' },
        { id: JOBS_CALENDAR, summary: 'Jobs', accessRole: 'writer', timeZone: 'America/New_York' },
      ],
    });
    // No publicBaseUrl: Google sends the browser back to the address it reached the API at.
    stack = await startStack({
      privacyKeys: derivePrivacyKeys(randomBytes(32)),
      app: { settings: { localSms: true, widgetDemo: false, google: { ...CLIENT, apiBaseUrl: google.url } } },
    });
    ({ server, origin } = await listen(stack.app));
    const business = await createBusiness(stack.database.db, { consentText: CONSENT, timeZone: ZONE });
    businessId = business.id;
    businessName = business.name;
    ownerKey = (await withTenant(stack.database.db, businessId, (tx) => createKey(tx, businessId, 'owner', 'test')))
      .key;
    await createUser(stack.database.db, businessId, { ...OWNER, role: 'owner', name: 'Luis Ortiz' });
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await stack?.close();
    await google?.close();
  });

  const signedIn = (): Promise<Page> => signIn(browser, origin, OWNER);

  it('saves the default language and the missed-call settings', async () => {
    const page = await signedIn();
    await page.goto(`${origin}/app/settings/calls`);
    const spanish = page.getByRole('radio', { name: 'Spanish' });
    await spanish.waitFor();
    expect(await page.getByRole('radio', { name: 'English' }).isChecked()).toBe(true);
    const forwarding = await daytimePhone(phoneSuffix++);
    await page.getByLabel('Phone that rings first').fill(forwarding);
    const night = page.getByRole('checkbox', { name: /missed at night/ });
    expect(await night.isChecked()).toBe(false);
    await night.check();
    await spanish.check();
    await page.getByRole('button', { name: 'Save calls and language' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Saved.' }).count()).toBe(1);

    const business = await readJson<{
      defaultLanguage: string;
      missedCallReplyAtNight: boolean;
      forwardingPhone: string | null;
    }>('/v1/business');
    expect(business).toMatchObject({
      defaultLanguage: 'es',
      missedCallReplyAtNight: true,
      forwardingPhone: forwarding,
    });

    // A reload reads them back from the API.
    await page.reload();
    await spanish.waitFor();
    expect(await spanish.isChecked()).toBe(true);
    expect(await night.isChecked()).toBe(true);
    expect(await page.getByLabel('Phone that rings first').inputValue()).toBe(forwarding);
    await captureScreen(page, 'settings-calls');

    // A phone that is not one is refused, named, and nothing changes.
    await page.getByLabel('Phone that rings first').fill('call me');
    await page.getByRole('radio', { name: 'English' }).check();
    await page.getByRole('button', { name: 'Save calls and language' }).click();
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'forwardingPhone' }).count()).toBe(1);
    expect((await readJson<{ defaultLanguage: string }>('/v1/business')).defaultLanguage).toBe('es');

    // Emptied, the number is cleared; English again for the job texts below.
    await page.getByLabel('Phone that rings first').fill('');
    await page.getByRole('button', { name: 'Save calls and language' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Saved.' }).count()).toBe(1);
    expect(await readJson<{ defaultLanguage: string; forwardingPhone: string | null }>('/v1/business')).toMatchObject({
      defaultLanguage: 'en',
      forwardingPhone: null,
    });
    await page.context().close();
  }, 120_000);

  it('saves the review link and the Stripe account invoices go through', async () => {
    const page = await signedIn();
    await page.goto(`${origin}/app/settings/invoices`);
    const review = page.getByLabel('Review link (https)');
    await review.waitFor();
    await review.fill('http://reviews.example.com/rivera');
    await page.getByRole('button', { name: 'Save invoices and reviews' }).click();
    // The API's refusal names the field; nothing is saved.
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'reviewUrl' }).count()).toBe(1);
    expect((await readJson<{ reviewUrl: string | null }>('/v1/business')).reviewUrl).toBeNull();

    await review.fill('https://g.page/r/rivera-plumbing/review');
    await page.getByLabel('Your Stripe account id (Connect, acct_…)').fill('acct_1RiveraPlumbing');
    await page.getByRole('button', { name: 'Save invoices and reviews' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Saved.' }).count()).toBe(1);
    expect(await readJson<{ reviewUrl: string; stripeConnectAccountId: string }>('/v1/business')).toMatchObject({
      reviewUrl: 'https://g.page/r/rivera-plumbing/review',
      stripeConnectAccountId: 'acct_1RiveraPlumbing',
    });
    await page.reload();
    await review.waitFor();
    expect(await review.inputValue()).toBe('https://g.page/r/rivera-plumbing/review');
    await captureScreen(page, 'settings-invoices');
    await page.context().close();
  }, 120_000);

  it('connects Google Calendar through Google’s consent page, picks the calendar, and disconnects', async () => {
    const page = await signedIn();
    await page.goto(`${origin}/app/settings/calendar`);
    const tab = page.getByRole('region', { name: 'Google Calendar' });
    await tab.getByText('Not connected').waitFor();

    // The owner says no on Google's page: back in the app, told so.
    google.consent.deny = true;
    await tab.getByRole('button', { name: 'Connect Google Calendar' }).click();
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'access was not allowed' }).count(), { timeout: 20_000 })
      .toBe(1);
    expect((await readJson<{ connected: boolean }>('/v1/integrations/google')).connected).toBe(false);

    google.consent.deny = false;
    const consentPages: string[] = [];
    page.on('request', (r) => {
      if (r.isNavigationRequest() && r.url().startsWith(google.url)) consentPages.push(r.url());
    });
    await tab.getByRole('button', { name: 'Connect Google Calendar' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Google Calendar is connected' }).count(), {
        timeout: 20_000,
      })
      .toBe(1);
    // The browser went to Google's consent page (PKCE, the API's callback) and back to the tab's own address.
    expect(consentPages).toHaveLength(1);
    const consent = new URL(consentPages[0]!);
    expect(consent.pathname).toBe('/o/oauth2/v2/auth');
    expect(consent.searchParams.get('code_challenge_method')).toBe('S256');
    expect(consent.searchParams.get('redirect_uri')).toBe(`${origin}/v1/integrations/google/callback`);
    expect(new URL(page.url()).pathname).toBe('/app/settings/calendar');
    expect(new URL(page.url()).search).toBe('');
    await tab.getByText('Connected', { exact: true }).waitFor();

    const picker = tab.getByLabel('Calendar for bookings');
    await picker.waitFor();
    // A calendar leadflow may only read cannot be picked.
    expect(await picker.getByRole('option', { name: 'Holidays (read only)' }).isDisabled()).toBe(true);
    await picker.selectOption({ label: 'Jobs' });
    await tab.getByRole('button', { name: 'Use this calendar' }).click();
    await expect.poll(() => tab.getByRole('status').filter({ hasText: 'Saved.' }).count()).toBe(1);
    expect(await readJson<{ connected: boolean; calendarId: string }>('/v1/integrations/google')).toMatchObject({
      connected: true,
      calendarId: JOBS_CALENDAR,
    });
    await captureScreen(page, 'settings-google');

    await tab.getByRole('button', { name: 'Disconnect Google Calendar' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Disconnect Google Calendar?' });
    await dialog.getByRole('button', { name: 'Disconnect', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await tab.getByText('Not connected').waitFor();
    expect((await readJson<{ connected: boolean }>('/v1/integrations/google')).connected).toBe(false);
    // Revoked at Google, not only forgotten here.
    expect(google.revokedTokens).toContain(google.refreshTokens.at(-1));
    await page.context().close();
  }, 120_000);

  it('adds a technician, sets their hours, services and time off, and removes them', async () => {
    const page = await signedIn();
    await page.goto(`${origin}/app/settings/technicians`);
    await page.getByText('No technicians yet').waitFor();
    await page.getByLabel('Technician’s name').fill('Marta Diaz');
    await page.getByRole('button', { name: 'Add technician' }).click();
    const marta = page.getByRole('region', { name: 'Marta Diaz' });
    await marta.waitFor();
    // A new person works the business hours and does every offered service.
    expect(await marta.getByRole('checkbox', { name: 'Drain cleaning' }).isChecked()).toBe(true);
    expect(await marta.getByLabel('Saturday from').inputValue()).toBe('09:00');
    expect(await marta.getByRole('checkbox', { name: 'Works on Sunday' }).isChecked()).toBe(false);

    await marta.getByLabel('Monday from').fill('10:00');
    await marta.getByLabel('Monday until').fill('14:00');
    await marta.getByRole('checkbox', { name: 'Works on Friday' }).uncheck();
    await marta.getByRole('checkbox', { name: 'Water heater inspection' }).uncheck();
    await marta.getByRole('button', { name: 'Save Marta Diaz' }).click();
    await expect.poll(() => marta.getByRole('status').filter({ hasText: 'Saved.' }).count()).toBe(1);
    type Person = {
      name: string;
      weeklyHours: Record<string, Array<{ start: string; end: string }>>;
      serviceIds: string[];
      timeOff: Array<{ startsAt: string; endsAt: string; reason: string | null }>;
    };
    const people = async () => (await readJson<{ data: Person[] }>('/v1/technicians')).data;
    const services = await stack.database.db.service.findMany({ where: { businessId } });
    const drain = services.find((x) => x.name === 'Drain cleaning')!;
    const [saved] = await people();
    expect(saved).toMatchObject({ name: 'Marta Diaz', serviceIds: [drain.id] });
    expect(saved!.weeklyHours.mon).toEqual([{ start: '10:00', end: '14:00' }]);
    expect(saved!.weeklyHours.fri ?? []).toEqual([]);

    // Two whole days off in the business's zone.
    const first = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(new Date(Date.now() + 7 * 86_400_000));
    const last = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(new Date(Date.now() + 8 * 86_400_000));
    await marta.getByLabel('First day off').fill(first);
    await marta.getByLabel('Last day off (empty: one day)').fill(last);
    await marta.getByLabel('Reason (optional)').fill('Training');
    await marta.getByRole('button', { name: 'Add time off' }).click();
    const removeTimeOff = marta.getByRole('button', { name: /^Remove time off / });
    await removeTimeOff.waitFor();
    const [away] = (await people())[0]!.timeOff;
    const midnight = (instant: string) =>
      new Intl.DateTimeFormat('en-CA', {
        timeZone: ZONE,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(new Date(instant));
    expect(midnight(away!.startsAt)).toBe(`${first}, 00:00`);
    expect(midnight(new Date(Date.parse(away!.endsAt) - 1).toISOString())).toBe(`${last}, 23:59`);
    expect(away!.reason).toBe('Training');
    await captureScreen(page, 'settings-technicians');

    await removeTimeOff.click();
    await marta.getByText('None coming.').waitFor();
    expect((await people())[0]!.timeOff).toEqual([]);

    // The words leads use for a service.
    await page.getByLabel('Other words for Water heater inspection').fill('boiler, calentador ,');
    await page.getByRole('button', { name: 'Save the words' }).click();
    await expect
      .poll(async () => (await readJson<{ data: Array<{ name: string; keywords: string[] }> }>('/v1/services')).data)
      .toContainEqual(expect.objectContaining({ name: 'Water heater inspection', keywords: ['boiler', 'calentador'] }));
    await expect
      .poll(() => page.getByLabel('Other words for Water heater inspection').inputValue())
      .toBe('boiler, calentador');

    await marta.getByRole('button', { name: 'Remove Marta Diaz' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Remove Marta Diaz?' });
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await page.getByText('No technicians yet').waitFor();
    expect(await people()).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('picks and saves a technician’s own Google calendar once Google Calendar is connected', async () => {
    const page = await signedIn();
    await page.goto(`${origin}/app/settings/technicians`);
    await page.getByLabel('Technician’s name').fill('Ana Lopez');
    await page.getByRole('button', { name: 'Add technician' }).click();
    const ana = page.getByRole('region', { name: 'Ana Lopez' });
    // Not connected (the test before disconnected): the card says where to connect, and offers no calendar.
    const connectFirst = ana.getByRole('link', { name: 'connect Google Calendar' });
    await connectFirst.waitFor();
    expect(await ana.getByLabel('Google calendar').count()).toBe(0);
    await connectFirst.click();
    const tab = page.getByRole('region', { name: 'Google Calendar' });
    await tab.getByRole('button', { name: 'Connect Google Calendar' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Google Calendar is connected' }).count(), {
        timeout: 20_000,
      })
      .toBe(1);

    await page.goto(`${origin}/app/settings/technicians`);
    const picker = ana.getByLabel('Google calendar');
    await picker.waitFor();
    expect(await picker.inputValue()).toBe('');
    expect(await picker.getByRole('option', { name: 'Holidays (read only)' }).isDisabled()).toBe(true);
    await expect.poll(() => picker.getByRole('option', { name: 'Jobs' }).count()).toBe(1);
    await picker.selectOption({ label: 'Jobs' });
    await ana.getByRole('button', { name: 'Save calendar for Ana Lopez' }).click();
    await expect.poll(() => ana.getByRole('status').filter({ hasText: 'Saved.' }).count()).toBe(1);
    type Person = { name: string; calendar: string; googleCalendarId: string | null };
    const anaNow = async () =>
      (await readJson<{ data: Person[] }>('/v1/technicians')).data.find((p) => p.name === 'Ana Lopez');
    expect(await anaNow()).toMatchObject({ calendar: 'google', googleCalendarId: JOBS_CALENDAR });
    await page.reload();
    await picker.waitFor();
    await expect.poll(() => picker.inputValue()).toBe(JOBS_CALENDAR);
    await captureScreen(page, 'settings-technician-calendar');

    // None: leadflow's own appointments only.
    await picker.selectOption({ label: 'None (leadflow’s appointments only)' });
    await ana.getByRole('button', { name: 'Save calendar for Ana Lopez' }).click();
    await expect.poll(async () => (await anaNow())?.calendar).toBe('builtin');
    expect((await anaNow())?.googleCalendarId).toBeNull();

    // As the job tests below expect: nobody to assign, and Google Calendar not connected.
    await ana.getByRole('button', { name: 'Remove Ana Lopez' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Remove Ana Lopez?' });
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await page.getByText('No technicians yet').waitFor();
    expect((await asOwner('/v1/integrations/google', { method: 'DELETE' })).status).toBeLessThan(300);
    await page.context().close();
  }, 120_000);

  const leadStarts = new Map<string, Date>();
  /** Whether an instant falls in this Monday-to-Sunday week of the business (the bookings screen's first week). */
  const bookedThisWeek = (at: Date) => {
    const day = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(d);
    const monday = (d: Date) => {
      const noon = new Date(`${day(d)}T12:00:00Z`);
      return new Date(noon.getTime() - ((noon.getUTCDay() + 6) % 7) * 86_400_000).toISOString().slice(0, 10);
    };
    return monday(at) === monday(new Date());
  };

  /** A lead booked a day or more ahead through the API: its job starts as scheduled. */
  async function bookedLead(name: string): Promise<string> {
    const res = await asOwner('/v1/leads', {
      method: 'POST',
      body: JSON.stringify({ name, phone: await daytimePhone(phoneSuffix++), consent: { text: CONSENT } }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    // The lead's workflow writes the row a moment after the 202.
    for (let i = 0; i < 300 && (await stack.database.db.lead.count({ where: { id } })) === 0; i += 1)
      await new Promise((r) => setTimeout(r, 100));
    // A day of its own for each lead: two bookings never ask for one slot.
    const start = new Date(Date.now() + (dayOffset += 1) * 86_400_000);
    start.setUTCHours(15, 0, 0, 0);
    const booked = await asOwner(`/v1/leads/${id}/appointment`, {
      method: 'POST',
      body: JSON.stringify({ start: start.toISOString() }),
    });
    expect(booked.status).toBe(201);
    leadStarts.set(id, start);
    return id;
  }
  const jobOf = async (leadId: string) =>
    (
      await readJson<{ workflow: { job: { status: string; amountCents: number | null } | null } }>(
        `/v1/leads/${leadId}`,
      )
    ).workflow.job;
  const texts = async (leadId: string) =>
    (await readJson<{ data: Array<{ kind: string; body: string }> }>(`/v1/dev/outbox?leadId=${leadId}`)).data;

  it('moves a booked job scheduled → on the way → in progress → finished from the conversation', async () => {
    const leadId = await bookedLead('Rosa Delgado');
    const page = await signedIn();
    await page.setViewportSize({ width: 375, height: 812 });
    // From the week's bookings to the job.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bookings' }).click();
    await page.getByRole('heading', { name: 'Bookings', level: 1 }).waitFor();
    if (!bookedThisWeek(leadStarts.get(leadId)!)) await page.getByRole('button', { name: 'Next week' }).click();
    await page.getByRole('link', { name: 'Job and messages of Rosa Delgado' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/app/inbox/${leadId}`);
    const job = page.getByRole('region', { name: 'Job' });
    const status = () => job.getByRole('definition').first().textContent();
    await expect.poll(status, { timeout: 20_000 }).toBe('Scheduled');

    // The signed-in person's first name is offered; the ETA is typed.
    expect(await job.getByLabel('Technician’s first name').inputValue()).toBe('Luis');
    await job.getByLabel('Arriving in (minutes)').fill('20');
    const onMyWay = job.getByRole('button', { name: 'On my way' });
    // Big enough for a thumb on a phone.
    const box = (await onMyWay.boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(48);
    expect(box.width).toBeGreaterThanOrEqual(300);
    await onMyWay.click();
    await expect.poll(status, { timeout: 20_000 }).toBe('On the way');
    await expect
      .poll(async () => (await texts(leadId)).map((t) => t.body), { timeout: 30_000 })
      .toContain(`Luis from ${businessName} is on the way, arriving in about 20 min.`);
    expect(await jobOf(leadId)).toMatchObject({ status: 'en_route', technicianName: 'Luis', etaMinutes: 20 });
    await captureScreen(page, 'job');

    await job.getByRole('button', { name: 'Start the job' }).click();
    await expect.poll(status, { timeout: 20_000 }).toBe('In progress');
    expect(await job.getByRole('button', { name: 'On my way' }).count()).toBe(0);

    // Not an amount: said before anything is sent.
    await job.getByLabel('Amount in dollars (optional)').fill('about 100');
    await job.getByRole('button', { name: 'Finish the job' }).click();
    await expect.poll(() => job.getByRole('alert').textContent()).toMatch(/^Amount: /);
    expect((await jobOf(leadId))?.status).toBe('in_progress');

    await job.getByLabel('Amount in dollars (optional)').fill('$1,120.50');
    await job.getByRole('button', { name: 'Finish the job' }).click();
    await expect.poll(status, { timeout: 20_000 }).toBe('Finished');
    expect(await job.getByRole('button').count()).toBe(0);
    expect(await job.textContent()).toContain('$1,120.50');
    expect(await jobOf(leadId)).toMatchObject({ status: 'finished', amountCents: 112_050 });
    await expect
      .poll(async () => (await texts(leadId)).some((t) => t.body.startsWith('Thanks for choosing')), {
        timeout: 30_000,
      })
      .toBe(true);
    await page.context().close();
  }, 180_000);

  it('says plainly when the job moved on elsewhere (409), and shows where it is now', async () => {
    const leadId = await bookedLead('Jon Park');
    const page = await signedIn();
    // A phone's stale screen: no live updates, so the page still shows the job as it was.
    await page.context().route('**/v1/events', (route) => route.abort());
    await page.goto(`${origin}/app/inbox/${leadId}`);
    const job = page.getByRole('region', { name: 'Job' });
    const status = () => job.getByRole('definition').first().textContent();
    await expect.poll(status, { timeout: 20_000 }).toBe('Scheduled');

    const moved = await asOwner(`/v1/leads/${leadId}/job`, {
      method: 'POST',
      body: JSON.stringify({ status: 'in_progress' }),
    });
    expect(moved.status).toBe(200);
    await job.getByRole('button', { name: 'On my way' }).click();
    await expect
      .poll(() => job.getByRole('alert').textContent(), { timeout: 20_000 })
      .toBe('Not changed: this job is in progress now, so it cannot be marked on the way.');
    await expect.poll(status, { timeout: 20_000 }).toBe('In progress');
    expect((await texts(leadId)).some((t) => t.body.includes('is on the way'))).toBe(false);
    await page.context().close();
  }, 120_000);
});
