import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { createLogger } from '../../logging/logger';
import { startStack, type Stack } from '../support/stack';

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';

describe('API keys, roles and lockout', () => {
  let stack: Stack;
  let clock = Date.parse('2026-11-23T12:00:00Z');
  let app: ReturnType<typeof createApp>;
  let ownerKey = '';

  beforeAll(async () => {
    stack = await startStack();
    app = createApp({
      db: stack.database.appDb,
      temporal: stack.client,
      log: createLogger({ name: 'test', level: 'silent' }),
      taskQueue: stack.taskQueue,
      settings: { adminToken: ADMIN_TOKEN },
      now: () => new Date(clock),
      throttle: { windowMs: 60_000, maxFailures: 3, lockMs: 120_000 },
    });
    const created = await request(app)
      .post('/v1/businesses')
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({ name: 'Keystone HVAC', timeZone: 'America/Chicago' });
    expect(created.status).toBe(201);
    ownerKey = created.body.ownerKey.key;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('creates a tenant only with the admin token', async () => {
    expect((await request(app).post('/v1/businesses').send({ name: 'x' })).status).toBe(401);
    expect(
      (await request(app).post('/v1/businesses').set('Authorization', 'Bearer wrong').send({ name: 'x' })).status,
    ).toBe(401);
  });

  it('shows a key once, prefixed, and stores only its hash', async () => {
    expect(ownerKey).toMatch(/^lf_live_[A-Za-z0-9_-]{12}_[A-Za-z0-9_-]{43}$/);
    const widget = await request(app)
      .post('/v1/api-keys')
      .set('Authorization', `Bearer ${ownerKey}`)
      .send({ role: 'widget', label: 'site' });
    expect(widget.status).toBe(201);
    expect(widget.body.key).toMatch(/^lf_pub_/);
    const listed = await request(app).get('/v1/api-keys').set('Authorization', `Bearer ${ownerKey}`);
    expect(JSON.stringify(listed.body)).not.toContain(widget.body.key);
    expect(JSON.stringify(listed.body)).not.toContain(ownerKey);
    const rows = await stack.database.db.$queryRaw<Array<Record<string, unknown>>>`SELECT * FROM api_keys`;
    const dump = JSON.stringify(rows, (_k, v) => (v instanceof Date ? v.toISOString() : v));
    for (const key of [ownerKey, widget.body.key as string]) {
      expect(dump).not.toContain(key);
      // The secret is the last 43 characters (base64url, so it may itself contain '_').
      expect(dump).not.toContain(key.slice(-43));
    }
  });

  it('enforces roles: a widget key can only capture, an operator cannot manage keys', async () => {
    const operator = (
      await request(app).post('/v1/api-keys').set('Authorization', `Bearer ${ownerKey}`).send({ role: 'operator' })
    ).body.key as string;
    const widget = (
      await request(app).post('/v1/api-keys').set('Authorization', `Bearer ${ownerKey}`).send({ role: 'widget' })
    ).body.key as string;
    expect((await request(app).get('/v1/api-keys').set('Authorization', `Bearer ${operator}`)).status).toBe(403);
    expect((await request(app).get('/v1/leads').set('Authorization', `Bearer ${widget}`)).status).toBe(403);
    expect((await request(app).get('/v1/business').set('Authorization', `Bearer ${widget}`)).status).toBe(403);
    expect((await request(app).get('/v1/leads').set('Authorization', `Bearer ${operator}`)).status).toBe(200);
  });

  it('revokes a key at once, but never the last owner key', async () => {
    const extra = await request(app)
      .post('/v1/api-keys')
      .set('Authorization', `Bearer ${ownerKey}`)
      .send({ role: 'operator' });
    expect((await request(app).get('/v1/leads').set('Authorization', `Bearer ${extra.body.key}`)).status).toBe(200);
    expect(
      (await request(app).delete(`/v1/api-keys/${extra.body.id}`).set('Authorization', `Bearer ${ownerKey}`)).status,
    ).toBe(204);
    expect((await request(app).get('/v1/leads').set('Authorization', `Bearer ${extra.body.key}`)).status).toBe(401);
    const owners = (await request(app).get('/v1/api-keys').set('Authorization', `Bearer ${ownerKey}`)).body.data.filter(
      (k: { role: string }) => k.role === 'owner',
    );
    expect(
      (await request(app).delete(`/v1/api-keys/${owners[0].id}`).set('Authorization', `Bearer ${ownerKey}`)).status,
    ).toBe(409);
  });

  it('locks an address out after repeated failures, then lets it back in', async () => {
    const bad = `${ownerKey.slice(0, -4)}AAAA`;
    // Earlier tests in this file (a revoked key) already counted as failures.
    await stack.database.db.authThrottle.deleteMany({});
    const tries = [];
    for (let i = 0; i < 3; i += 1)
      tries.push((await request(app).get('/v1/leads').set('Authorization', `Bearer ${bad}`)).status);
    expect(tries).toEqual([401, 401, 429]);
    // Locked: another bad key waits, and the answer says for how long.
    const locked = await request(app).get('/v1/leads').set('Authorization', `Bearer ${bad}`);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBe(120);
    expect(locked.body.error.code).toBe('rate_limited');
    // The lockout throttles guessing only: a valid key from the same address is served.
    expect((await request(app).get('/v1/leads').set('Authorization', `Bearer ${ownerKey}`)).status).toBe(200);
    clock += 121_000;
    expect((await request(app).get('/v1/leads').set('Authorization', `Bearer ${bad}`)).status).toBe(401);
    expect((await request(app).get('/v1/leads').set('Authorization', `Bearer ${ownerKey}`)).status).toBe(200);
  });

  it('applies a lockout another API replica placed at once, to invalid keys only', async () => {
    clock += 60_000;
    const bad = `${ownerKey.slice(0, -4)}BBBB`;
    expect((await request(app).get('/v1/leads').set('Authorization', `Bearer ${ownerKey}`)).status).toBe(200);
    // Another replica counted the failures: only the shared table says so.
    for (const address of ['::ffff:127.0.0.1', '127.0.0.1']) {
      await stack.database.db.authThrottle.upsert({
        where: { address },
        create: { address, failures: 3, windowStart: new Date(clock), lockedUntil: new Date(clock + 120_000) },
        update: { failures: 3, windowStart: new Date(clock), lockedUntil: new Date(clock + 120_000) },
      });
    }
    expect((await request(app).get('/v1/leads').set('Authorization', `Bearer ${bad}`)).status).toBe(429);
    expect((await request(app).get('/v1/leads').set('Authorization', `Bearer ${ownerKey}`)).status).toBe(200);
  });
});
