import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../api/routes/businesses';
import { withTenant } from '../../db/tenant';
import { createBusiness } from '../support/business';
import { createUser, sessionCookieOf, signIn } from '../support/people';
import { startStack, type Stack } from '../support/stack';

const PASSWORD = 'correct horse battery staple';

/** Issue 15, people and sessions: the cookie, key-or-session on every route, CSRF, tenants, sign-out and revocation. */
describe('sessions', () => {
  let stack: Stack;
  const a = { businessId: '', ownerKey: '', leadId: randomUUID() };
  const b = { businessId: '', leadId: randomUUID() };

  beforeAll(async () => {
    stack = await startStack();
    const db = stack.database.db;
    for (const [tenant, email] of [
      [a, 'dana@rivera.example'],
      [b, 'sam@other.example'],
    ] as const) {
      const business = await createBusiness(db);
      tenant.businessId = business.id;
      await createUser(db, business.id, { email, password: PASSWORD, role: 'owner' });
      await db.lead.create({
        data: { id: tenant.leadId, businessId: business.id, name: 'Jo Lead', phone: '+12125550142', message: 'Leak' },
      });
    }
    a.ownerKey = (await withTenant(db, a.businessId, (tx) => createKey(tx, a.businessId, 'owner', 'o'))).key;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('signs in with an HttpOnly SameSite=Lax cookie, and keeps only a bcrypt hash of the password', async () => {
    const res = await request(stack.app)
      .post('/v1/auth/sign-in')
      .send({ email: ' Dana@Rivera.example ', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      user: { email: 'dana@rivera.example', role: 'owner' },
      business: { id: a.businessId, timeZone: 'America/New_York' },
      csrfToken: expect.stringMatching(/^[0-9a-f]{64,}$/),
    });
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^leadflow_session=[^;]+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    // Plain http here: Secure comes with https (see "marks the cookie Secure behind https").
    expect(setCookie).not.toContain('Secure');

    const [row] = await stack.database.db.$queryRawUnsafe<Array<{ password_hash: string }>>(
      'SELECT password_hash FROM users WHERE email = $1',
      'dana@rivera.example',
    );
    expect(row!.password_hash).toMatch(/^\$2b\$12\$[./A-Za-z0-9]{53}$/);
    expect(JSON.stringify(row)).not.toContain(PASSWORD);

    // The session row holds the hash of the cookie's id, never the id itself.
    const sid = decodeURIComponent(sessionCookieOf(res.headers['set-cookie']).split('=')[1]!).slice(2).split('.')[0]!;
    const sessions = await stack.database.db.userSession.findMany({ where: { businessId: a.businessId } });
    expect(sessions.length).toBeGreaterThan(0);
    expect(JSON.stringify(sessions)).not.toContain(sid);
  });

  it('marks the cookie Secure behind https', async () => {
    const res = await request(stack.app)
      .post('/v1/auth/sign-in')
      .set('X-Forwarded-Proto', 'https')
      .send({ email: 'dana@rivera.example', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(String(res.headers['set-cookie'])).toMatch(/; Secure/);
  });

  it('answers a wrong password and an unknown email the same way', async () => {
    const wrong = await request(stack.app)
      .post('/v1/auth/sign-in')
      .send({ email: 'dana@rivera.example', password: 'not the password' });
    const unknown = await request(stack.app)
      .post('/v1/auth/sign-in')
      .send({ email: 'nobody@rivera.example', password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('lets a session call every key route, and answers the session and its CSRF token', async () => {
    const { cookie, csrfToken } = await signIn(stack.app, 'dana@rivera.example', PASSWORD);
    const business = await request(stack.app).get('/v1/business').set('Cookie', cookie);
    expect(business.status).toBe(200);
    expect(business.body.id).toBe(a.businessId);
    const session = await request(stack.app).get('/v1/auth/session').set('Cookie', cookie);
    expect(session.status).toBe(200);
    expect(session.body.csrfToken).toBe(csrfToken);
    // Without any credential: the usual 401.
    expect((await request(stack.app).get('/v1/business')).status).toBe(401);
    expect((await request(stack.app).get('/v1/auth/session')).status).toBe(401);
  });

  it('refuses a cookie-authenticated change without the CSRF token, or with a wrong one; a key needs none', async () => {
    const { cookie, csrfToken } = await signIn(stack.app, 'dana@rivera.example', PASSWORD);
    const change = { botName: 'Riley' };
    const missing = await request(stack.app).patch('/v1/business').set('Cookie', cookie).send(change);
    expect(missing.status).toBe(403);
    expect(missing.body.error.code).toBe('csrf_failed');
    const wrong = await request(stack.app)
      .patch('/v1/business')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', 'a'.repeat(256))
      .send(change);
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('csrf_failed');
    const unchanged = await request(stack.app).get('/v1/business').set('Cookie', cookie);
    expect(unchanged.body.botName).toBe('Ava');

    const right = await request(stack.app)
      .patch('/v1/business')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', csrfToken)
      .send(change);
    expect(right.status).toBe(200);
    expect(right.body.botName).toBe('Riley');
    const withKey = await request(stack.app)
      .patch('/v1/business')
      .set('Authorization', `Bearer ${a.ownerKey}`)
      .send({ botName: 'Ava' });
    expect(withKey.status).toBe(200);
    expect(withKey.body.botName).toBe('Ava');
  });

  it('gives a cookie of tenant A 404 on tenant B’s lead ids', async () => {
    const { cookie } = await signIn(stack.app, 'dana@rivera.example', PASSWORD);
    const own = await request(stack.app).get(`/v1/leads/${a.leadId}`).set('Cookie', cookie);
    expect(own.status).toBe(200);
    const other = await request(stack.app).get(`/v1/leads/${b.leadId}`).set('Cookie', cookie);
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('not_found');
    const messages = await request(stack.app).get(`/v1/leads/${b.leadId}/messages`).set('Cookie', cookie);
    expect(messages.status).toBe(404);
  });

  it('signs out: the cookie is cleared and refused afterwards', async () => {
    const { cookie, csrfToken } = await signIn(stack.app, 'dana@rivera.example', PASSWORD);
    const out = await request(stack.app).post('/v1/auth/sign-out').set('Cookie', cookie).set('X-CSRF-Token', csrfToken);
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^leadflow_session=; Path=\/; Expires=Thu, 01 Jan 1970/);
    const after = await request(stack.app).get('/v1/business').set('Cookie', cookie);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthorized');
  });

  it('lists the person’s sessions and revokes one: its next request is 401', async () => {
    const first = await signIn(stack.app, 'dana@rivera.example', PASSWORD);
    const second = await signIn(stack.app, 'dana@rivera.example', PASSWORD);
    const list = await request(stack.app)
      .get('/v1/auth/sessions')
      .set('Cookie', first.cookie)
      .set('User-Agent', 'Firefox test');
    expect(list.status).toBe(200);
    const items = list.body.items as Array<{ id: string; current: boolean }>;
    expect(items.filter((s) => s.current)).toHaveLength(1);
    const current = items.find((s) => s.current)!;
    const others = items.filter((s) => !s.current);
    expect(others.length).toBeGreaterThan(0);

    // Revoke the second browser's session from the first.
    const secondId = (await request(stack.app).get('/v1/auth/sessions').set('Cookie', second.cookie)).body.items.find(
      (s: { current: boolean }) => s.current,
    ).id as string;
    expect(secondId).not.toBe(current.id);
    const revoked = await request(stack.app)
      .delete(`/v1/auth/sessions/${secondId}`)
      .set('Cookie', first.cookie)
      .set('X-CSRF-Token', first.csrfToken);
    expect(revoked.status).toBe(204);
    expect((await request(stack.app).get('/v1/business').set('Cookie', second.cookie)).status).toBe(401);
    expect((await request(stack.app).get('/v1/business').set('Cookie', first.cookie)).status).toBe(200);
    // Another person's (or tenant's) session id is not found.
    const bSignIn = await signIn(stack.app, 'sam@other.example', PASSWORD);
    const foreign = await request(stack.app)
      .delete(`/v1/auth/sessions/${current.id}`)
      .set('Cookie', bSignIn.cookie)
      .set('X-CSRF-Token', bSignIn.csrfToken);
    expect(foreign.status).toBe(404);
    expect((await request(stack.app).get('/v1/business').set('Cookie', first.cookie)).status).toBe(200);
  });

  it('audits sign-in, failures and sign-out by ids only', async () => {
    const rows = await stack.database.db.auditLog.findMany({
      where: { businessId: a.businessId, action: { in: ['sign_in', 'sign_in_failed', 'sign_out', 'revoke'] } },
    });
    expect(new Set(rows.map((r) => r.action))).toEqual(new Set(['sign_in', 'sign_in_failed', 'sign_out', 'revoke']));
    for (const row of rows) {
      expect(row.actorUserId).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.actorKeyId).toBeNull();
    }
    expect(JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain('dana@');
  });
});
