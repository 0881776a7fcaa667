import request from 'supertest';
import type { Request } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { clientAddress } from '../../api/http/client-address';
import { parseTrustProxy } from '../../api/http/trust-proxy';
import { createKey } from '../../services/api-keys/create-api-key';
import { ZEnvSchema } from '../../config/env';
import { withTenant } from '../../db/tenant';
import { createLogger } from '../../logging/logger';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

const SITE = 'https://www.rivera-plumbing.example';
const CONSENT = 'By submitting, you agree to receive texts from Rivera Plumbing about your request.';

describe('TRUST_PROXY: parsing', () => {
  it('takes what Express takes: hops, true/false, names, addresses and CIDR ranges', () => {
    expect(parseTrustProxy('1')).toBe(1);
    expect(parseTrustProxy('0')).toBe(0);
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('true')).toBe(true);
    expect(parseTrustProxy('loopback')).toEqual(['loopback']);
    expect(parseTrustProxy(' loopback, 10.0.0.0/8 ,fd00::/8, 192.0.2.1, 172.16.0.0/255.240.0.0')).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
      '192.0.2.1',
      '172.16.0.0/255.240.0.0',
    ]);
  });

  it('refuses anything else, so a typo never trusts the wrong hop', () => {
    for (const bad of ['', 'yes', 'loopbak', '10.0.0.0/33', 'fd00::/129', '10.0.0/8', '1.5', '-1', 'loopback,,x'])
      expect(parseTrustProxy(bad), bad).toBeNull();
  });

  it('is read from the environment, loopback by default, and a bad value names the variable', () => {
    expect(ZEnvSchema.parse({}).TRUST_PROXY).toEqual(['loopback']);
    expect(ZEnvSchema.parse({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    const bad = ZEnvSchema.safeParse({ TRUST_PROXY: 'everyone' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['TRUST_PROXY']);
    expect(bad.error?.issues[0]?.message).toContain('hop count');
  });

  it('takes only an IP address as the client address', () => {
    const req = (ip: string | undefined, socket: string | undefined) =>
      ({ ip, socket: { remoteAddress: socket } }) as unknown as Request;
    expect(clientAddress(req('203.0.113.7', '10.0.0.2'))).toBe('203.0.113.7');
    expect(clientAddress(req('2001:db8::1', '10.0.0.2'))).toBe('2001:db8::1');
    // A forwarded value that is not an address counts as the hop that sent it.
    expect(clientAddress(req('203.0.113.7:4711', '10.0.0.2'))).toBe('10.0.0.2');
    expect(clientAddress(req('<script>', '10.0.0.2'))).toBe('10.0.0.2');
    expect(clientAddress(req(undefined, undefined))).toBe('unknown');
  });
});

describe('TRUST_PROXY: clients behind a proxy (X-Forwarded-For)', () => {
  let stack: Stack;
  let widgetKey = '';
  let ownerKey = '';
  const log = createLogger({ name: 'test', level: 'silent' });
  const appWith = (trustProxy: boolean | number | string[]) =>
    createApp({
      db: stack.database.appDb,
      temporal: stack.client,
      log,
      taskQueue: stack.taskQueue,
      leadCodec: stack.app.deps.leadCodec,
      settings: {
        localSms: true,
        widgetDemo: false,
        trustProxy,
        captureLimits: { perWidgetKey: 100, perAddress: 2, perServerKey: 100 },
      },
    });

  beforeAll(async () => {
    stack = await startStack();
    const business = await createBusiness(stack.database.db, { consentText: CONSENT, allowedOrigins: [SITE] });
    const key = (role: 'widget' | 'owner') =>
      withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, role, role));
    widgetKey = (await key('widget')).key;
    ownerKey = (await key('owner')).key;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const widgetCapture = (app: ReturnType<typeof createApp>, forwardedFor: string, body: object) =>
    request(app)
      .post('/v1/leads')
      .set('Authorization', `Bearer ${widgetKey}`)
      .set('Origin', SITE)
      .set('X-Forwarded-For', forwardedFor)
      .send(body);
  // Refused after the limit is counted (wrong consent text): no lead is made.
  const refused = { name: 'Bot', phone: '+12125550000', consent: { text: 'x' } };

  it('with TRUST_PROXY=1, two clients behind one proxy get separate widget limits', async () => {
    const app = appWith(1);
    const first = [];
    for (let i = 0; i < 3; i += 1) first.push((await widgetCapture(app, '203.0.113.7', refused)).status);
    expect(first).toEqual([400, 400, 429]);
    // Another visitor of the same site, through the same proxy, is not held by the first one's limit.
    expect((await widgetCapture(app, '198.51.100.9', refused)).status).toBe(400);
    // A client cannot name itself past the proxy: only the hop the proxy added counts.
    expect((await widgetCapture(app, '192.0.2.99, 203.0.113.7', refused)).status).toBe(429);
  });

  it('without a trusted proxy, X-Forwarded-For is ignored and the connection’s address counts', async () => {
    const app = appWith(false);
    const statuses = [];
    for (const forwarded of ['203.0.113.20', '203.0.113.21', '203.0.113.22'])
      statuses.push((await widgetCapture(app, forwarded, refused)).status);
    expect(statuses).toEqual([400, 400, 429]);
  });

  it('stores the forwarded client address in the consent record', async () => {
    const app = appWith(1);
    const res = await widgetCapture(app, '203.0.113.50', {
      name: 'Ana Lima',
      phone: await daytimePhone(41),
      consent: { text: CONSENT, pageUrl: `${SITE}/contact` },
    });
    expect(res.status).toBe(202);
    await expect
      .poll(() => stack.database.db.consentRecord.findFirst({ where: { leadId: res.body.id } }), { timeout: 30_000 })
      .toMatchObject({ method: 'widget', ip: '203.0.113.50' });
  });

  it('ten bad keys from one address lock out bad keys only, never a valid key', async () => {
    const app = appWith(1);
    const bad = `${ownerKey.slice(0, -4)}ZZZZ`;
    const get = (key: string, forwardedFor: string) =>
      request(app).get('/v1/leads').set('Authorization', `Bearer ${key}`).set('X-Forwarded-For', forwardedFor);
    const statuses = [];
    for (let i = 0; i < 10; i += 1) statuses.push((await get(bad, '192.0.2.10')).status);
    expect(statuses.slice(0, 9)).toEqual(Array(9).fill(401));
    expect(statuses[9]).toBe(429);
    const locked = await get(bad, '192.0.2.10');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // The valid key behind the same address is served.
    expect((await get(ownerKey, '192.0.2.10')).status).toBe(200);
    // The lockout is the guesser's: another client behind the same proxy is not locked.
    expect((await get(bad, '192.0.2.11')).status).toBe(401);
    expect(await stack.database.db.authThrottle.findUnique({ where: { address: '192.0.2.10' } })).toMatchObject({
      failures: 10,
    });
  });
});
