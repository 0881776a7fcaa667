import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { createKey } from '../../services/api-keys/create-api-key';
import { withTenant } from '../../db/tenant';
import { createLogger } from '../../logging/logger';
import { createBusiness } from '../support/business';
import { startStack, type Stack } from '../support/stack';

const ADMIN_TOKEN = 'admin-token-for-hardening-0123456789';
const METRICS_TOKEN = 'metrics-token-for-hardening-0123456789';
const SITE = 'https://www.rivera-plumbing.example';
const CONSENT = 'By submitting, you agree to receive texts from Rivera Plumbing about your request.';

describe('smaller hardening (issue 13, item 11)', () => {
  let stack: Stack;
  let app: ReturnType<typeof createApp>;
  let ownerKey = '';
  let widgetKey = '';
  let otherBusiness = { id: '', name: '', smsNumber: '' };
  const appWith = (settings: { adminToken?: string; metricsToken?: string }) =>
    createApp({
      db: stack.database.appDb,
      temporal: stack.client,
      log: createLogger({ name: 'test', level: 'silent' }),
      taskQueue: stack.taskQueue,
      settings: { localSms: true, widgetDemo: false, ...settings },
      throttle: { windowMs: 60_000, maxFailures: 3, lockMs: 120_000 },
    });
  const owner = (req: request.Test) => req.set('Authorization', `Bearer ${ownerKey}`);

  beforeAll(async () => {
    stack = await startStack();
    app = appWith({ adminToken: ADMIN_TOKEN, metricsToken: METRICS_TOKEN });
    const business = await createBusiness(stack.database.db, { consentText: CONSENT, allowedOrigins: [SITE] });
    const other = await createBusiness(stack.database.db, { smsNumber: '+13125550199' });
    otherBusiness = { id: other.id, name: other.name, smsNumber: other.smsNumber! };
    const key = (role: 'widget' | 'owner') =>
      withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, role, role));
    ownerKey = (await key('owner')).key;
    widgetKey = (await key('widget')).key;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('answers under /v1 carry Cache-Control: no-store, errors included', async () => {
    for (const path of [
      '/v1/leads',
      '/v1/business',
      '/v1/api-keys',
      '/v1/leads/00000000-0000-4000-8000-000000000000',
    ]) {
      const res = await owner(request(app).get(path));
      expect([200, 404], path).toContain(res.status);
      expect(res.headers['cache-control'], path).toBe('no-store');
    }
    expect((await request(app).get('/v1/leads')).headers['cache-control']).toBe('no-store');
  });

  it('/metrics needs the METRICS_TOKEN, and is not served at all without one', async () => {
    expect((await request(app).get('/metrics')).status).toBe(401);
    expect((await request(app).get('/metrics').set('Authorization', 'Bearer wrong')).status).toBe(401);
    expect((await request(app).get('/metrics').set('Authorization', METRICS_TOKEN)).status).toBe(401);
    const ok = await request(app).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('leadflow_http_request_duration_seconds');
    const without = appWith({});
    expect((await request(without).get('/metrics')).status).toBe(404);
    expect((await request(without).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`)).status).toBe(404);
  });

  it('takes the admin token only as a Bearer token, and throttles failed attempts', async () => {
    const admin = appWith({ adminToken: ADMIN_TOKEN });
    const create = (authorization: string, forwardedFor: string) =>
      request(admin)
        .post('/v1/businesses')
        .set('Authorization', authorization)
        .set('X-Forwarded-For', forwardedFor)
        .send({ name: 'Keystone HVAC', timeZone: 'America/Chicago' });
    expect((await create(ADMIN_TOKEN, '198.51.100.1')).status).toBe(401);
    expect((await create(`bearer ${ADMIN_TOKEN}`, '198.51.100.1')).status).toBe(401);
    const third = await create('Bearer guess', '198.51.100.1');
    expect(third.status).toBe(429);
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    // While locked, even the right token waits: the lock must not answer guesses.
    expect((await create(`Bearer ${ADMIN_TOKEN}`, '198.51.100.1')).status).toBe(429);
    // Another address is not held, and API-key failures are counted apart.
    expect((await create(`Bearer ${ADMIN_TOKEN}`, '198.51.100.2')).status).toBe(201);
    expect(await stack.database.db.authThrottle.findUnique({ where: { address: '198.51.100.1' } })).toBeNull();
  });

  it('refuses X-API-Key (not in the contract) and two Authorization headers, naming the header', async () => {
    // Node's client sends an array as one header line per value; supertest's types take strings only.
    const both = (a: string, b: string) => [a, b] as unknown as string;
    const viaHeader = await request(app).get('/v1/leads').set('X-API-Key', ownerKey);
    expect(viaHeader.status).toBe(400);
    expect(viaHeader.body.error.details).toEqual([{ field: 'X-API-Key', reason: expect.stringContaining('Bearer') }]);
    const two = await request(app)
      .get('/v1/leads')
      .set('Authorization', both(`Bearer ${ownerKey}`, 'Bearer lf_live_someone_else'));
    expect(two.status).toBe(400);
    expect(two.body.error.details).toEqual([{ field: 'Authorization', reason: expect.any(String) }]);
    const twoAdmin = await request(app)
      .post('/v1/businesses')
      .set('Authorization', both(`Bearer ${ADMIN_TOKEN}`, `Bearer ${ADMIN_TOKEN}`))
      .send({ name: 'Twice' });
    expect(twoAdmin.status).toBe(400);
    expect((await owner(request(app).get('/v1/leads'))).status).toBe(200);
  });

  it('GET /v1/widget/config is refused without an Origin, like capture', async () => {
    const config = (origin?: string) => {
      const req = request(app).get('/v1/widget/config').set('Authorization', `Bearer ${widgetKey}`);
      return origin ? req.set('Origin', origin) : req;
    };
    const without = await config();
    expect(without.status).toBe(403);
    expect(without.headers['access-control-allow-origin']).toBeUndefined();
    expect((await config('https://elsewhere.example')).status).toBe(403);
    const allowed = await config(SITE);
    expect(allowed.status).toBe(200);
    expect(allowed.body).toEqual({ businessName: expect.any(String), consentText: CONSENT });
    expect(allowed.headers['access-control-allow-origin']).toBe(SITE);
  });

  it('answers CORS preflights only for origins a business allows', async () => {
    const preflight = (origin: string) =>
      request(app)
        .options('/v1/leads')
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization,content-type');
    const allowed = await preflight(SITE);
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(SITE);
    for (const origin of ['https://attacker.example', `https://${'a'.repeat(600)}.example`]) {
      const refused = await preflight(origin);
      expect(refused.status).toBe(403);
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
      expect(refused.headers['access-control-allow-methods']).toBeUndefined();
    }
  });

  it('a number another business uses answers 409 naming the field, not the business', async () => {
    const res = await owner(request(app).patch('/v1/business')).send({ smsNumber: otherBusiness.smsNumber });
    expect(res.status).toBe(409);
    expect(res.body.error.details).toEqual([{ field: 'smsNumber', reason: expect.any(String) }]);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(otherBusiness.id);
    expect(text).not.toContain(otherBusiness.name);
    expect(res.headers['cache-control']).toBe('no-store');
  });
});
