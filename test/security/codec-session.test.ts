import { createHash } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../db/tenant';
import { createKey } from '../../services/api-keys/create-api-key';
import { createBusiness } from '../support/business';
import { startStack, type Stack } from '../support/stack';

const UI = 'http://localhost:8233';
const PLAIN = { payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: 'e30=' }] };

/** Issue 13, item 11: the codec cookie is a session, not the API key; signing out ends it everywhere. */
describe('codec sign-in cookie', () => {
  let stack: Stack;
  let owner = '';
  let operator = { id: '', key: '' };
  let businessId = '';

  beforeAll(async () => {
    stack = await startStack();
    const business = await createBusiness(stack.database.db);
    businessId = business.id;
    owner = (await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'owner', 'o'))).key;
    operator = await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'operator', 'op'));
  });
  afterAll(async () => {
    await stack?.close();
  });

  const signIn = async (key: string) => {
    const res = await request(stack.app).post('/v1/codec/session').set('Authorization', `Bearer ${key}`);
    expect(res.status).toBe(200);
    const setCookie = String(res.headers['set-cookie']);
    return { setCookie, cookie: setCookie.split(';')[0]!, token: setCookie.split(';')[0]!.split('=')[1]! };
  };
  const decodeWith = (cookie: string) =>
    request(stack.app)
      .post('/v1/codec/decode')
      .set('Content-Type', 'application/json')
      .set('Origin', UI)
      .set('Cookie', cookie)
      .send(PLAIN);

  it('holds a random session token, stored only hashed, never the API key', async () => {
    const { setCookie, token, cookie } = await signIn(operator.key);
    expect(setCookie).toMatch(/^leadflow_codec_session=[A-Za-z0-9_-]{43}; Path=\/v1\/codec; Max-Age=28800; HttpOnly/);
    expect(setCookie).not.toContain(operator.key);
    expect(setCookie).not.toContain(encodeURIComponent(operator.key));
    const rows = await stack.database.db.codecSession.findMany({ where: { apiKeyId: operator.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(token);
    expect((await decodeWith(cookie)).status).toBe(200);
    // An API key in the cookie is no session.
    expect((await decodeWith(`leadflow_codec_session=${operator.key}`)).status).toBe(401);
    expect((await decodeWith(`leadflow_codec_key=${encodeURIComponent(operator.key)}`)).status).toBe(401);
  });

  it('is revoked by signing out: the same cookie is refused afterwards', async () => {
    const { cookie } = await signIn(operator.key);
    expect((await decodeWith(cookie)).status).toBe(200);
    const out = await request(stack.app).delete('/v1/codec/session').set('Cookie', cookie);
    expect(out.status).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(/^leadflow_codec_session=; Path=\/v1\/codec; Max-Age=0/);
    // A browser (or anyone) that kept the cookie gets nothing more.
    const replay = await decodeWith(cookie);
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('unauthorized');
  });

  it('ends when its API key is revoked', async () => {
    const extra = await withTenant(stack.database.db, businessId, (tx) =>
      createKey(tx, businessId, 'operator', 'temp'),
    );
    const { cookie } = await signIn(extra.key);
    expect((await decodeWith(cookie)).status).toBe(200);
    const revoked = await request(stack.app).delete(`/v1/api-keys/${extra.id}`).set('Authorization', `Bearer ${owner}`);
    expect(revoked.status).toBeLessThan(300);
    expect((await decodeWith(cookie)).status).toBe(401);
  });
});
