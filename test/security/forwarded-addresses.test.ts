import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { createKey } from '../../services/api-keys/create-api-key';
import { withTenant } from '../../db/tenant';
import { createLogger } from '../../logging/logger';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

const SITE = 'https://www.rivera-plumbing.example';
const CONSENT = 'By submitting, you agree to receive texts from Rivera Plumbing about your request.';
const LOOPBACK = ['127.0.0.1', '::ffff:127.0.0.1', '::1'];
const GIANT = `${'A'.repeat(2000)}, ${'9'.repeat(2000)}, <script>${'x'.repeat(1990)}`;

describe('forwarded client addresses (issue 13, item 4)', () => {
  let stack: Stack;
  let ownerKey = '';
  let widgetKey = '';
  const log = createLogger({ name: 'test', level: 'silent' });
  const appWith = (trustProxy: boolean | string[] = ['loopback']) =>
    createApp({
      db: stack.database.appDb,
      temporal: stack.client,
      log,
      taskQueue: stack.taskQueue,
      leadCodec: stack.app.deps.leadCodec,
      settings: { localSms: true, widgetDemo: false, trustProxy },
      throttle: { windowMs: 60_000, maxFailures: 3, lockMs: 120_000 },
    });
  const badKey = (n: number) => `${ownerKey.slice(0, -4)}${String(n).padStart(4, 'Q')}`;
  const get = (app: ReturnType<typeof createApp>, key: string, forwardedFor?: string) => {
    const req = request(app).get('/v1/leads').set('Authorization', `Bearer ${key}`);
    return forwardedFor === undefined ? req : req.set('X-Forwarded-For', forwardedFor);
  };

  beforeAll(async () => {
    stack = await startStack();
    const business = await createBusiness(stack.database.db, { consentText: CONSENT, allowedOrigins: [SITE] });
    const key = (role: 'widget' | 'owner') =>
      withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, role, role));
    ownerKey = (await key('owner')).key;
    widgetKey = (await key('widget')).key;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('a 6,000-character X-Forwarded-For counts as the proxy hop that sent it, and the lockout follows', async () => {
    await stack.database.db.authThrottle.deleteMany({});
    const app = appWith();
    expect(GIANT.length).toBeGreaterThan(6000);
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await get(app, badKey(i), GIANT)).status);
    expect(statuses).toEqual([401, 401, 429]);
    const rows = await stack.database.db.authThrottle.findMany();
    expect(rows).toHaveLength(1);
    expect(LOOPBACK).toContain(rows[0]!.address);
  });

  it('when the failure counter cannot be written, failures are counted in memory: the lockout does not fail open', async () => {
    const { db } = stack.database;
    await db.authThrottle.deleteMany({});
    await db.$executeRawUnsafe('REVOKE INSERT, UPDATE ON auth_throttles FROM leadflow_app');
    try {
      const app = appWith();
      const statuses = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await get(app, badKey(10 + i), GIANT)).status);
      expect(statuses).toEqual([401, 401, 429, 429]);
      expect(await db.authThrottle.count()).toBe(0);
      // The lock is on guessing only: a valid key from the same address is served.
      expect((await get(app, ownerKey, GIANT)).status).toBe(200);
    } finally {
      await db.$executeRawUnsafe('GRANT INSERT, UPDATE ON auth_throttles TO leadflow_app');
    }
  });

  it('without a trusted proxy, rotating X-Forwarded-For neither dodges the lockout nor locks out the named address', async () => {
    await stack.database.db.authThrottle.deleteMany({});
    const app = appWith(false);
    const statuses = [];
    for (const forged of ['203.0.113.1', '203.0.113.2', '203.0.113.3'])
      statuses.push((await get(app, badKey(20), forged)).status);
    expect(statuses).toEqual([401, 401, 429]);
    const addresses = (await stack.database.db.authThrottle.findMany()).map((r) => r.address);
    expect(addresses.filter((a) => a.startsWith('203.0.113.'))).toEqual([]);
  });

  it('never stores a forged value in the consent record or the audit log', async () => {
    const app = appWith();
    for (const forged of ['free text, not an address', GIANT.slice(0, 2700), '203.0.113.7:4711']) {
      const captured = await request(app)
        .post('/v1/leads')
        .set('Authorization', `Bearer ${widgetKey}`)
        .set('Origin', SITE)
        .set('X-Forwarded-For', forged)
        .send({ name: 'Ana Lima', phone: await daytimePhone(forged.length % 50), consent: { text: CONSENT } });
      expect(captured.status).toBe(202);
      await expect
        .poll(
          async () => (await stack.database.db.consentRecord.findFirst({ where: { leadId: captured.body.id } }))?.ip,
          {
            timeout: 30_000,
          },
        )
        .toSatisfy((ip: string | undefined) => LOOPBACK.includes(ip ?? ''));
      expect((await get(app, ownerKey, forged)).status).toBe(200);
    }
    const stored = await stack.database.db.auditLog.findMany({ select: { ip: true } });
    expect(stored.length).toBeGreaterThan(0);
    for (const row of stored) expect(LOOPBACK).toContain(row.ip);
  });
});
