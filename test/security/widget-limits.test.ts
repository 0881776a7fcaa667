import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { visitorOf } from '../../api/http/capture-limits';
import { createKey } from '../../services/api-keys/create-api-key';
import { withTenant } from '../../db/tenant';
import { createLogger } from '../../logging/logger';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

const SITE = 'https://www.rivera-plumbing.example';
const CONSENT = 'By submitting, you agree to receive texts from Rivera Plumbing about your request.';

describe('widget capture limits: visitor addresses, networks and the shared budget (issue 13, item 3)', () => {
  let stack: Stack;
  const log = createLogger({ name: 'test', level: 'silent' });
  const appWith = (captureLimits?: { perWidgetKey: number; perAddress: number; perServerKey: number }) =>
    createApp({
      db: stack.database.appDb,
      temporal: stack.client,
      log,
      taskQueue: stack.taskQueue,
      leadCodec: stack.app.deps.leadCodec,
      settings: { localSms: true, widgetDemo: false, ...(captureLimits ? { captureLimits } : {}) },
    });
  const newWidgetKey = async () => {
    const business = await createBusiness(stack.database.db, {
      consentText: CONSENT,
      allowedOrigins: [SITE],
      smsNumber: null,
    });
    return (await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'widget', 'site'))).key;
  };
  // Supertest connects from loopback, which TRUST_PROXY trusts by default: X-Forwarded-For names the visitor.
  const post = (app: ReturnType<typeof createApp>, key: string, from: string, body?: object) => {
    const req = request(app)
      .post('/v1/leads')
      .set('Authorization', `Bearer ${key}`)
      .set('Origin', SITE)
      .set('X-Forwarded-For', from);
    return body ? req.send(body) : req;
  };
  const visitor = async (suffix: number) => ({
    name: 'Dana Whitfield',
    phone: await daytimePhone(suffix),
    consent: { text: CONSENT, pageUrl: `${SITE}/contact` },
  });

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('130 empty posts from 13 addresses do not stop a real visitor from a 14th', async () => {
    const app = appWith();
    const key = await newWidgetKey();
    const statuses: number[] = [];
    for (let a = 1; a <= 13; a += 1)
      for (let i = 0; i < 10; i += 1) statuses.push((await post(app, key, `198.51.${a}.7`)).status);
    expect(statuses).toEqual(Array(130).fill(400));
    // Each address spent its own budget: its next post waits.
    const eleventh = await post(app, key, '198.51.1.7');
    expect(eleventh.status).toBe(429);
    expect(Number(eleventh.headers['retry-after'])).toBeGreaterThan(0);
    const real = await post(app, key, '203.0.113.50', await visitor(1));
    expect(real.status).toBe(202);
  });

  it('counts a network as well: rotating addresses within one /24 or one IPv6 /64 does not multiply the budget', async () => {
    const app = appWith();
    const key = await newWidgetKey();
    // One IPv6 host may use any address of its /64: they are one visitor.
    const v6: number[] = [];
    for (let i = 1; i <= 11; i += 1) v6.push((await post(app, key, `2001:db8:1:2::${i.toString(16)}`)).status);
    expect(v6.slice(0, 10)).toEqual(Array(10).fill(400));
    expect(v6[10]).toBe(429);
    // Many addresses of one /24: each within its own limit, the network's is reached at 60.
    const v4: number[] = [];
    for (let i = 1; i <= 61; i += 1) v4.push((await post(app, key, `192.0.2.${i}`)).status);
    expect(v4.slice(0, 60)).toEqual(Array(60).fill(400));
    expect(v4[60]).toBe(429);
    expect((await post(app, key, '203.0.113.51', await visitor(2))).status).toBe(202);
  });

  it('the shared budget of a widget key counts accepted captures only', async () => {
    const app = appWith({ perWidgetKey: 2, perAddress: 10, perServerKey: 100 });
    const key = await newWidgetKey();
    for (let a = 1; a <= 5; a += 1) expect((await post(app, key, `198.18.${a}.9`)).status).toBe(400);
    expect((await post(app, key, '198.18.10.1', await visitor(3))).status).toBe(202);
    expect((await post(app, key, '198.18.11.1', await visitor(4))).status).toBe(202);
    // Two accepted captures used the whole budget of this key: the next visitor waits.
    const third = await post(app, key, '198.18.12.1', await visitor(5));
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('rate_limited');
    // Another business's widget has its own budget.
    expect((await post(app, await newWidgetKey(), '198.18.12.1', await visitor(6))).status).toBe(202);
  });

  it('holds across API replicas: the counts live in Postgres', async () => {
    const [one, two] = [appWith(), appWith()];
    const key = await newWidgetKey();
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) statuses.push((await post(i % 2 ? one : two, key, '198.19.7.7')).status);
    expect(statuses).toEqual(Array(10).fill(400));
    expect((await post(one, key, '198.19.7.7')).status).toBe(429);
    expect((await post(two, key, '198.19.7.7')).status).toBe(429);
    const rows = await stack.database.db.$queryRaw<Array<{ key: string }>>`SELECT key FROM rate_limits`;
    expect(rows.length).toBeGreaterThan(0);
  });

  it('groups addresses: IPv4 by itself and its /24, IPv6 by its /64 and /48, mapped IPv4 as IPv4', () => {
    expect(visitorOf('203.0.113.7')).toEqual({ address: '203.0.113.7', network: '203.0.113.0/24' });
    expect(visitorOf('::ffff:203.0.113.7')).toEqual({ address: '203.0.113.7', network: '203.0.113.0/24' });
    expect(visitorOf('2001:db8:aa:bb:1:2:3:4')).toEqual({
      address: '2001:db8:aa:bb::/64',
      network: '2001:db8:aa::/48',
    });
    expect(visitorOf('2001:db8::1')).toEqual({ address: '2001:db8:0:0::/64', network: '2001:db8:0::/48' });
    expect(visitorOf('::1')).toEqual({ address: '0:0:0:0::/64', network: '0:0:0::/48' });
    expect(visitorOf('unknown')).toEqual({ address: 'unknown', network: 'unknown' });
  });
});
