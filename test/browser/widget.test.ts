import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join } from 'node:path';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderDemoPage } from '../../api/widget/demo-page';
import { createWidgetRouter } from '../../api/widget/router';
import { ensureChromium } from '../../scripts/toolchain/chromium';
import { ROOT } from '../../scripts/toolchain/paths';

// Browser globals for the callbacks that run in the page (the project's TypeScript lib has no DOM).
declare const document: { documentElement: { scrollWidth: number } };
declare const window: { innerWidth: number };
declare function getComputedStyle(
  el: unknown,
): Record<
  'fontSize' | 'color' | 'display' | 'textTransform' | 'outlineStyle' | 'outlineWidth' | 'transitionDuration',
  string
>;

const KEY = `lf_pub_${randomBytes(6).toString('hex')}_${randomBytes(18).toString('base64url')}`;
const BUSINESS = 'Rivera Plumbing & Heating';
// Curly quotes, an ampersand and a semicolon: the text sent back must be exactly this, byte for byte.
const CONSENT =
  'I agree to receive texts from Rivera Plumbing & Heating about my request at the number above, including automated texts. Consent isn’t a condition of purchase; msg & data rates may apply. Reply STOP to opt out.';
const PHONE_HINT = 'Enter a phone number we can text, e.g. (555) 123-4567';
const ARTIFACTS = join(ROOT, 'test-artifacts');

interface Captured {
  body: Record<string, unknown>;
  authorization?: string;
  idempotencyKey?: string;
  origin?: string;
  contentType?: string;
}
type Outcome = 202 | 429 | 503;

/**
 * A stand-in for the leadflow API, exactly the contract the widget relies on:
 * GET /v1/widget/config and POST /v1/leads with a publishable key, CORS only for the
 * allowed origins, 400 with field details for a phone whose area code is 000, and
 * scripted busy answers (`failNext`). It also serves the widget router, as the real API does.
 */
function standInApi(opts: { allowedOrigins: () => string[] }) {
  const leads: Captured[] = [];
  const failures: Outcome[] = [];
  const app = express();
  app.use(helmet());
  app.use(createWidgetRouter({ demo: true, demoKey: async () => KEY }));
  const cors: RequestHandler = (req, res, next) => {
    const origin = req.get('origin');
    if (origin && opts.allowedOrigins().includes(origin))
      res.set({ 'Access-Control-Allow-Origin': origin, Vary: 'Origin' });
    if (req.method !== 'OPTIONS') return next();
    res.set({
      'Access-Control-Allow-Methods': 'GET, POST',
      'Access-Control-Allow-Headers': 'Authorization, Content-Type, Idempotency-Key',
    });
    res.status(204).end();
  };
  const auth: RequestHandler = (req, res, next) => {
    if (req.get('authorization') !== `Bearer ${KEY}`)
      return void res.status(401).json({ error: { code: 'unauthorized', message: 'bad key', details: null } });
    next();
  };
  app.use('/v1', cors, auth, express.json());
  app.get('/v1/widget/config', (_req, res) => {
    res.json({ businessName: BUSINESS, consentText: CONSENT });
  });
  app.post('/v1/leads', (req, res) => {
    leads.push({
      body: req.body as Record<string, unknown>,
      authorization: req.get('authorization'),
      idempotencyKey: req.get('idempotency-key'),
      origin: req.get('origin'),
      contentType: req.get('content-type'),
    });
    const outcome = failures.shift() ?? 202;
    if (outcome !== 202)
      return void res
        .status(outcome)
        .set('Retry-After', '5')
        .json({ error: { code: 'unavailable', message: 'try later', details: null } });
    const phone = String((req.body as { phone?: unknown }).phone);
    if (/^(\+?1)?000/.test(phone)) {
      const reason = 'is not a valid number for its country';
      return void res
        .status(400)
        .json({ error: { code: 'bad_request', message: `phone: ${reason}`, details: [{ field: 'phone', reason }] } });
    }
    const id = randomUUID();
    res.status(202).location(`/v1/leads/${id}`).json({ id, status: 'accepted' });
  });
  return { app, leads, failNext: (...outcomes: Outcome[]) => failures.push(...outcomes) };
}

async function listen(app: express.Express): Promise<{ server: Server; origin: string }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () =>
      resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    );
  });
}

describe('the capture widget in a real browser', () => {
  let browser: Browser;
  let api: ReturnType<typeof standInApi>;
  let apiOrigin = '';
  let siteOrigin = '';
  const servers: Server[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    api = standInApi({ allowedOrigins: () => [siteOrigin, apiOrigin] });
    const apiServer = await listen(api.app);
    apiOrigin = apiServer.origin;
    // The business's own website: another origin, embedding the script from the API's.
    const site = express().get('/', (req, res) => {
      const page = renderDemoPage({
        key: KEY,
        scriptSrc: `${apiOrigin}/widget.js`,
        nonce: randomBytes(16).toString('base64'),
      });
      // ?lang=es: the business's page asks for the Spanish widget (data-lang), as an embed snippet would.
      const html =
        req.query.lang === 'es' ? page.html.replace(' data-target=', ' data-lang="es" data-target=') : page.html;
      res.set('Content-Security-Policy', page.csp).type('html').send(html);
    });
    const siteServer = await listen(site);
    siteOrigin = siteServer.origin;
    servers.push(apiServer.server, siteServer.server);
    browser = await chromium.launch({
      executablePath: await ensureChromium({ log: (l) => console.log(`chromium: ${l}`) }),
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
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  beforeEach(() => {
    api.leads.length = 0;
  });

  /** A fresh phone-sized tab on the business's site, with the form rendered; CSP violations are collected. */
  async function openSite(opts: { url?: string; width?: number; reducedMotion?: boolean; button?: string } = {}) {
    const context = await browser.newContext({
      viewport: { width: opts.width ?? 375, height: 740 },
      reducedMotion: opts.reducedMotion ? 'reduce' : 'no-preference',
    });
    const page = await context.newPage();
    const violations: string[] = [];
    const leadRequests: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    page.on('request', (r) => {
      if (r.url().includes('/v1/leads')) leadRequests.push(r.method());
    });
    await page.goto(opts.url ?? `${siteOrigin}/?utm_source=google&utm_campaign=leaks`);
    await page.getByRole('button', { name: opts.button ?? 'Text me back' }).waitFor();
    return { page, context, violations, leadRequests, close: () => context.close() };
  }

  const form = (page: Page) => ({
    name: page.getByLabel('Name', { exact: true }),
    phone: page.getByLabel('Phone', { exact: true }),
    message: page.getByLabel('How can we help? (optional)'),
    consent: page.getByRole('checkbox'),
    submit: page.getByRole('button', { name: 'Text me back' }),
    busyButton: page.locator('button[type=submit]'),
    status: page.getByRole('alert'),
    phoneError: page.locator('#lf-phone-error'),
  });

  async function fill(page: Page, values: { name?: string; phone: string; message?: string }) {
    const f = form(page);
    await f.name.fill(values.name ?? 'Maria Lopez');
    await f.phone.fill(values.phone);
    if (values.message) await f.message.fill(values.message);
    await f.consent.check();
  }

  it('captures a lead across origins with the exact consent text and page URL, then thanks the person', async () => {
    const { page, violations, close } = await openSite();
    const f = form(page);
    await expect.poll(() => page.getByText(CONSENT, { exact: true }).isVisible()).toBe(true);
    await fill(page, { phone: '(212) 555-0142', message: 'Kitchen sink is leaking under the cabinet.' });
    await f.consent.blur();
    await page.screenshot({ path: join(ARTIFACTS, 'widget.png'), fullPage: true });

    // Two quick clicks are still one lead: the button is disabled while sending.
    await f.submit.dblclick();
    const thanks = page.getByText('Thanks, Maria! We’ll text you shortly.');
    await thanks.waitFor();
    expect(await thanks.isVisible()).toBe(true);
    expect(await f.name.isVisible()).toBe(false);
    await page.screenshot({ path: join(ARTIFACTS, 'widget-thanks.png'), fullPage: true });

    expect(api.leads).toHaveLength(1);
    const [lead] = api.leads;
    expect(lead!.body).toEqual({
      name: 'Maria Lopez',
      phone: '2125550142',
      message: 'Kitchen sink is leaking under the cabinet.',
      source: 'widget',
      consent: { text: CONSENT, pageUrl: `${siteOrigin}/?utm_source=google&utm_campaign=leaks` },
    });
    expect(lead!.authorization).toBe(`Bearer ${KEY}`);
    expect(lead!.origin).toBe(siteOrigin);
    expect(lead!.contentType).toMatch(/^application\/json/);
    expect(lead!.idempotencyKey).toMatch(/^lfw-[0-9a-f]{32}$/);
    // Nothing the person typed stays behind in the browser: no storage, no cookies.
    const left = await page.evaluate(
      '({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie })',
    );
    expect(left).toEqual({ local: 0, session: 0, cookie: '' });
    expect(violations).toEqual([]);
    await close();
  });

  it('speaks Spanish when the page asks for it, and sends its language with the capture', async () => {
    const { page, violations, close } = await openSite({ url: `${siteOrigin}/?lang=es`, button: 'Escríbanme' });
    await page.getByRole('heading', { name: 'Reciba una respuesta rápida por mensaje de texto' }).waitFor();
    await page.getByRole('button', { name: 'Escríbanme' }).click();
    await expect.poll(() => page.locator('#lf-name-error').textContent()).toBe('Escriba su nombre.');
    expect(await page.locator('#lf-consent-error').textContent()).toBe(
      'Marque esta casilla para que podamos escribirle.',
    );
    await page.getByLabel('Nombre', { exact: true }).fill('María López');
    await page.getByLabel('Teléfono', { exact: true }).fill('(212) 555-0143');
    await page.getByLabel('¿Cómo podemos ayudarle? (opcional)').fill('Tengo una fuga en la cocina.');
    await page.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Escríbanme' }).click();
    await page.getByText('¡Gracias, María! Le escribiremos en breve.').waitFor();
    expect(api.leads).toHaveLength(1);
    expect(api.leads[0]!.body).toMatchObject({
      name: 'María López',
      message: 'Tengo una fuga en la cocina.',
      source: 'widget',
      language: 'es',
    });
    expect(violations).toEqual([]);
    await close();
  });

  it('refuses a phone it cannot text in the browser and sends nothing', async () => {
    const { page, leadRequests, close } = await openSite();
    const f = form(page);
    await fill(page, { phone: '555-12' });
    await f.submit.click();
    await expect.poll(() => f.phoneError.textContent()).toBe(PHONE_HINT);
    expect(await f.phone.getAttribute('aria-invalid')).toBe('true');
    expect((await f.phone.getAttribute('aria-describedby'))?.split(' ')).toContain('lf-phone-error');
    expect(await f.phone.evaluate((el) => el === (el.getRootNode() as Document | ShadowRoot).activeElement)).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'widget-error.png'), fullPage: true });

    // Missing name and an unchecked box are caught too.
    await f.name.fill('');
    await f.consent.uncheck();
    await f.submit.click();
    await expect.poll(() => page.locator('#lf-name-error').textContent()).toBe('Enter your name.');
    expect(await f.consent.getAttribute('aria-invalid')).toBe('true');
    expect(leadRequests).toEqual([]);
    expect(api.leads).toEqual([]);

    // Typing clears the error.
    await f.phone.fill('212.555.0142');
    expect(await f.phone.getAttribute('aria-invalid')).toBeNull();
    await close();
  });

  it('accepts the lenient phone forms: 10 digits, 11 starting with 1, and + with 8 to 15 digits', async () => {
    for (const [typed, sent] of [
      ['212 555 0142', '2125550142'],
      ['1-212-555-0142', '12125550142'],
      ['+44 20 7946 0958', '+442079460958'],
    ] as const) {
      const { page, close } = await openSite();
      await fill(page, { phone: typed });
      await form(page).submit.click();
      await page.getByText('Thanks, Maria!', { exact: false }).waitFor();
      expect(api.leads.at(-1)?.body.phone).toBe(sent);
      await close();
    }
  });

  it('shows a server 400 for a field beside that field and keeps the form', async () => {
    const { page, close } = await openSite();
    const f = form(page);
    await fill(page, { phone: '(000) 555-0100' });
    await f.submit.click();
    await expect.poll(() => f.phoneError.textContent()).toBe('Phone number is not a valid number for its country.');
    expect(await f.phone.getAttribute('aria-invalid')).toBe('true');
    expect(await f.submit.isEnabled()).toBe(true);
    expect(api.leads).toHaveLength(1);
    await close();
  });

  it('keeps the form on busy and network errors, and retries as the same lead', async () => {
    const { page, context, close } = await openSite();
    const f = form(page);
    await fill(page, { phone: '212-555-0142' });
    api.failNext(503, 429);

    await f.submit.click();
    await expect.poll(() => f.status.textContent()).toBe('We’re busy — please try again in a moment.');
    expect(await f.submit.isEnabled()).toBe(true);

    await context.setOffline(true);
    await f.submit.click();
    await expect
      .poll(() => f.status.textContent())
      .toBe('We couldn’t reach the server. Check your connection and try again.');
    await context.setOffline(false);

    await f.submit.click();
    await expect.poll(() => f.status.textContent()).toBe('We’re busy — please try again in a moment.');
    expect(await f.name.isVisible()).toBe(true);
    await page.locator('#leadflow').screenshot({ path: join(ARTIFACTS, 'widget-busy.png') });

    await f.submit.click();
    await page.getByText('Thanks, Maria! We’ll text you shortly.').waitFor();
    expect(api.leads).toHaveLength(3);
    const keys = new Set(api.leads.map((l) => l.idempotencyKey));
    expect(keys.size).toBe(1);
    await close();
  });

  it('is untouched by the host page’s hostile CSS', async () => {
    const { page, close } = await openSite();
    const f = form(page);
    expect(await f.phone.isVisible()).toBe(true);
    expect(await f.submit.isVisible()).toBe(true);
    const style = await f.phone.evaluate((el) => {
      const s = getComputedStyle(el);
      return { fontSize: s.fontSize, color: s.color, display: s.display };
    });
    expect(style.fontSize).toBe('16px');
    expect(style.color).not.toBe('rgb(255, 0, 0)');
    expect(style.display).toBe('block');
    const heading = await page.getByRole('heading', { name: 'Get a quick reply by text' }).evaluate((el) => {
      const s = getComputedStyle(el);
      return { fontSize: s.fontSize, color: s.color, textTransform: s.textTransform };
    });
    expect(heading).toEqual({ fontSize: '21px', color: 'rgb(17, 24, 39)', textTransform: 'none' });
    // The hostile rules really are live on the host page.
    const hostText = await page.locator('#quote').evaluate((el) => getComputedStyle(el).fontSize);
    expect(hostText).toBe('30px');
    // And the widget's styles do not leak out onto the page.
    expect(await page.locator('h1').evaluate((el) => getComputedStyle(el).fontSize)).toBe('34px');
    await close();
  });

  it('fits a 320px screen without horizontal scrolling', async () => {
    const { page, close } = await openSite({ width: 320 });
    const sizes = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      viewport: window.innerWidth,
    }));
    expect(sizes.page).toBeLessThanOrEqual(sizes.viewport);
    const box = await form(page).phone.boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(320);
    await page.screenshot({ path: join(ARTIFACTS, 'widget-320.png'), fullPage: true });
    await close();
  });

  it('shows keyboard focus and honours reduced motion', async () => {
    const { page, close } = await openSite({ reducedMotion: true });
    const f = form(page);
    await f.consent.focus();
    await page.keyboard.press('Tab');
    const outline = await f.submit.evaluate((el) => {
      const s = getComputedStyle(el);
      return {
        focused: el.matches(':focus-visible'),
        style: s.outlineStyle,
        width: s.outlineWidth,
        transition: s.transitionDuration,
      };
    });
    expect(outline).toEqual({ focused: true, style: 'solid', width: '3px', transition: '0s' });
    await close();
  });

  it('works on the API’s own demo page under its CSP', async () => {
    const { page, violations, close } = await openSite({ url: `${apiOrigin}/widget/demo` });
    await fill(page, { name: 'Sam', phone: '2125550142' });
    await form(page).submit.click();
    await page.getByText('Thanks, Sam! We’ll text you shortly.').waitFor();
    expect(api.leads.at(-1)?.body).toMatchObject({ consent: { text: CONSENT, pageUrl: `${apiOrigin}/widget/demo` } });
    expect(violations).toEqual([]);
    await close();
  });
});
