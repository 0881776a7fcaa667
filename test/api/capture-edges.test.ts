import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { createKey } from '../../api/routes/businesses';
import { withTenant } from '../../db/tenant';
import { createLogger } from '../../logging/logger';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

const SITE = 'https://www.rivera-plumbing.example';
const CONSENT =
  'By submitting, you agree to receive texts from Rivera Plumbing about your request. Reply STOP to opt out.';

describe('capture: widget origins, consent, limits and bad input', () => {
  let stack: Stack;
  let app: ReturnType<typeof createApp>;
  let widgetKey = '';
  let ownerKey = '';
  let businessId = '';

  beforeAll(async () => {
    stack = await startStack({
      app: {
        settings: {
          localSms: true,
          widgetDemo: false,
          captureLimits: { perWidgetKey: 100, perAddress: 3, perServerKey: 100 },
        },
      },
    });
    app = stack.app;
    const business = await createBusiness(stack.database.db, { consentText: CONSENT, allowedOrigins: [SITE] });
    businessId = business.id;
    widgetKey = (await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'widget', 'site')))
      .key;
    ownerKey = (await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'owner', 'o'))).key;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const widgetCapture = (body: object, origin = SITE) =>
    request(app)
      .post('/v1/leads')
      .set('Authorization', `Bearer ${widgetKey}`)
      .set('Origin', origin)
      .set('User-Agent', 'Mozilla/5.0 (test)')
      .send(body);

  it('accepts the widget from an allowed origin, records what the server saw, and answers with CORS for that origin only', async () => {
    const phone = await daytimePhone(31);
    const res = await widgetCapture({
      name: 'Ana Lima',
      phone,
      source: 'widget',
      consent: { text: CONSENT, pageUrl: `${SITE}/contact` },
    });
    expect(res.status).toBe(202);
    expect(res.headers['access-control-allow-origin']).toBe(SITE);
    await expect
      .poll(() => stack.database.db.consentRecord.findFirst({ where: { leadId: res.body.id } }), { timeout: 30_000 })
      .toMatchObject({
        consentText: CONSENT,
        pageUrl: `${SITE}/contact`,
        method: 'widget',
        userAgent: 'Mozilla/5.0 (test)',
        ip: expect.stringMatching(/127\.0\.0\.1/),
      });
    expect((await stack.database.db.lead.findUniqueOrThrow({ where: { id: res.body.id } })).source).toBe('widget');
  });

  it('refuses the widget key from another origin, and other consent text', async () => {
    const phone = await daytimePhone(32);
    const other = await widgetCapture({ name: 'Ana Lima', phone, consent: { text: CONSENT } }, 'https://evil.example');
    expect(other.status).toBe(403);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const wrongText = await widgetCapture({ name: 'Ana Lima', phone, consent: { text: 'I agree to anything' } });
    expect(wrongText.status).toBe(400);
    expect(wrongText.body.error.details).toEqual([
      { field: 'consent.text', reason: expect.stringContaining('consent text') },
    ]);
  });

  it('answers preflights so the browser may send the real request', async () => {
    const res = await request(app)
      .options('/v1/leads')
      .set('Origin', SITE)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type,idempotency-key');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-headers']).toMatch(/Idempotency-Key/);
  });

  it('limits widget captures per visitor address, with Retry-After', async () => {
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 5; i += 1) {
      const res = await widgetCapture({ name: 'Bot', phone: '+12125550000', consent: { text: 'x' } });
      statuses.push(res.status);
      retryAfter ??= res.headers['retry-after'];
    }
    // Earlier tests used part of this address's budget of 3 a minute.
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });

  it('maps bad bodies to the error shape: 413, 415, 400', async () => {
    const auth = { Authorization: `Bearer ${ownerKey}` };
    const huge = await request(app)
      .post('/v1/leads')
      .set(auth)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ name: 'x'.repeat(100_000) }));
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
    const form = await request(app).post('/v1/leads').set(auth).type('form').send({ name: 'x' });
    expect(form.status).toBe(415);
    const broken = await request(app)
      .post('/v1/leads')
      .set(auth)
      .set('Content-Type', 'application/json')
      .send('{"name":');
    expect(broken.status).toBe(400);
    expect(broken.body.error).toMatchObject({ code: 'bad_request', message: expect.stringContaining('JSON') });
    const extra = await request(app)
      .post('/v1/leads')
      .set(auth)
      .send({ name: 'A', phone: '+12125550100', consent: { text: 'ok' }, admin: true });
    expect(extra.status).toBe(400);
    expect(JSON.stringify(extra.body)).not.toMatch(/at .+\.ts:\d+/);
  });

  it('answers 503 with Retry-After when Temporal is unreachable, never a 500', async () => {
    const down = createApp({
      db: stack.database.appDb,
      temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
      log: createLogger({ name: 'test', level: 'silent' }),
      temporalTimeoutMs: 1500,
    });
    const res = await request(down)
      .post('/v1/leads')
      .set('Authorization', `Bearer ${ownerKey}`)
      .send({ name: 'Ana', phone: '+12125550123', consent: { text: CONSENT } });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body.error.code).toBe('unavailable');
    expect(businessId).toBeTruthy();
  });
});
