import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../api/routes/businesses';
import { errorMiddleware } from '../../api/http/errors';
import { withTenant } from '../../db/tenant';
import { createLogger } from '../../logging/logger';
import { createBusiness } from '../support/business';
import { startStack, type Stack } from '../support/stack';

/**
 * Issue 13, item 7: the black-box probe's malformed ids, cursors, dates and codec key ids
 * answered 500 or 503 "database unavailable". Each answers a 4xx naming what is wrong, and
 * a database error that the input caused is a 400, never "the database is down".
 */
const DASHES = '-'.repeat(36);
const cursor = (text: string) => Buffer.from(text).toString('base64url');
const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('malformed input from the probe', () => {
  let stack: Stack;
  let owner = '';

  beforeAll(async () => {
    stack = await startStack();
    const business = await createBusiness(stack.database.db, { name: 'Probe Plumbing' });
    owner = (await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'owner', 'o'))).key;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const call = (method: 'get' | 'put' | 'delete' | 'post', path: string, body?: object) => {
    const req = request(stack.app)[method](path).set('Authorization', `Bearer ${owner}`);
    return body ? req.send(body) : req;
  };

  it('a 36-dash "UUID" in any path is a 404 naming the id', async () => {
    for (const [method, path, body] of [
      ['get', `/v1/compliance/retention-runs/${DASHES}`],
      ['delete', `/v1/api-keys/${DASHES}`],
      ['put', `/v1/leads/${DASHES}/legal-hold`, { reason: 'litigation' }],
      ['delete', `/v1/leads/${DASHES}/legal-hold`],
      ['get', `/v1/leads/${DASHES}`],
      ['get', `/v1/privacy/requests/${DASHES}`],
    ] as const) {
      const res = await call(method, path, body);
      expect({ path, status: res.status, code: res.body.error?.code }).toEqual({
        path,
        status: 404,
        code: 'not_found',
      });
      expect(res.body.error.details).toEqual([{ field: 'params.id', reason: 'must be an id (a UUID)' }]);
    }
  });

  it('a cursor with a 36-dash id or a time out of range is a 400 naming the cursor', async () => {
    for (const path of ['/v1/leads', '/v1/privacy/requests']) {
      for (const c of [
        cursor(`2026-01-01T00:00:00.000Z|${DASHES}`),
        cursor('+275760-09-13T00:00:00.000Z|3f2a8c1e-9b4d-4e7a-8c21-5d6f7a8b9c0d'),
      ]) {
        const res = await call('get', `${path}?cursor=${c}`);
        expect({ path, status: res.status }).toEqual({ path, status: 400 });
        expect(res.body.error.message).toMatch(/^cursor:/);
      }
    }
  });

  it('analytics dates are bounded: year 9999 is a 400 naming the field, not 503', async () => {
    const far = await call('get', '/v1/analytics?from=9999-12-31&to=9999-12-31');
    expect(far.status).toBe(400);
    expect(far.body.error.message).toMatch(/^query\.from: must be from 2000-01-01 and before 2100-01-01/);
    expect((await call('get', '/v1/analytics?from=2026-01-01&to=2100-01-01')).body.error.message).toMatch(
      /^query\.to:/,
    );
    expect((await call('get', '/v1/analytics?from=2026-02-01&to=2026-01-01')).body.error.message).toBe(
      'from: must not be after to',
    );
    expect((await call('get', '/v1/analytics?from=2099-01-01&to=2099-12-31')).status).toBe(200);
  });

  it('codec decode of an encrypted payload without a usable key id is a 400, not 503', async () => {
    for (const metadata of [{}, { 'encryption-key-id': b64('not-a-uuid') }, { 'encryption-key-id': b64(DASHES) }]) {
      const res = await call('post', '/v1/codec/decode', {
        payloads: [{ metadata: { encoding: b64('binary/encrypted'), ...metadata }, data: b64('sealed?') }],
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'bad_request',
        message: expect.stringMatching(/^payloads\.0: cannot be decrypted/),
      });
    }
  });

  it('maps database errors the input caused to 400 and keeps 503 for a database that is down', async () => {
    const db = stack.database.appDb;
    const app = express();
    const routes: Record<string, () => Promise<unknown>> = {
      // P2010 wrapping 22P02, and the driver adapter's own error inside a transaction.
      rawUuid: () => db.$queryRawUnsafe('SELECT $1::uuid', DASHES),
      txUuid: () => db.$transaction((tx) => tx.lead.findMany({ where: { id: { lt: DASHES } } })),
      // A time out of range (class 22) and a NUL byte in text (22021).
      overflow: () => db.$queryRawUnsafe(`SELECT '294276-01-01'::timestamptz + interval '1000 years'`),
      nul: () => db.$queryRawUnsafe('SELECT $1::text', 'a\u0000b'),
      // Prisma refusing a Date past year 9999 (its message quotes the calling code).
      farDate: () => db.lead.findMany({ where: { createdAt: { lt: new Date('+275760-09-13T00:00:00.000Z') } } }),
    };
    for (const [name, run] of Object.entries(routes))
      app.get(`/${name}`, async () => {
        await run();
      });
    app.get('/down', async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    });
    app.use(errorMiddleware(createLogger({ name: 'test', level: 'silent' })));
    for (const name of ['rawUuid', 'txUuid', 'overflow', 'nul', 'farDate']) {
      const res = await request(app).get(`/${name}`);
      expect({ name, status: res.status, code: res.body.error.code }).toEqual({
        name,
        status: 400,
        code: 'bad_request',
      });
    }
    const down = await request(app).get('/down');
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBe('5');
  });
});
