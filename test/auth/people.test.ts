import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { authenticator } from './totp-code';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../api/routes/businesses';
import { withTenant } from '../../db/tenant';
import { createKeyring } from '../../domain/crypto/keyring';
import { TOTP_KEY_PURPOSE } from '../../services/people/totp-secret';
import { createBusiness } from '../support/business';
import { freshDatabase, type TestDatabase } from '../support/database';
import { apiWithoutTemporal, createUser, sessionCookieOf, signIn } from '../support/people';

const PASSWORD = 'correct horse battery staple';
const HOUR = 3600_000;

/** Issue 15, people: invitations, roles, password resets, lockout and throttling, TOTP, idle and absolute expiry. */
describe('people', () => {
  let database: TestDatabase;
  let app: ReturnType<typeof apiWithoutTemporal>;
  let clock = new Date('2026-12-03T15:00:00Z');
  let businessId = '';
  let ownerKey = '';
  let operatorKey = '';

  beforeAll(async () => {
    database = await freshDatabase();
    app = apiWithoutTemporal(database.appDb, {
      now: () => clock,
      settings: { localSms: true, widgetDemo: false, publicBaseUrl: 'https://leads.example.com' },
      totpBox: createKeyring({ current: randomBytes(32) }).boxFor(TOTP_KEY_PURPOSE),
    });
    const business = await createBusiness(database.db);
    businessId = business.id;
    ownerKey = (await withTenant(database.db, businessId, (tx) => createKey(tx, businessId, 'owner', 'o'))).key;
    operatorKey = (await withTenant(database.db, businessId, (tx) => createKey(tx, businessId, 'operator', 'op'))).key;
    await createUser(database.db, businessId, { email: 'owner@rivera.example', password: PASSWORD, role: 'owner' });
  });
  afterAll(async () => {
    await database?.drop();
  });

  const outbox = async (kind: string) => {
    const res = await request(app).get('/v1/dev/emails').set('Authorization', `Bearer ${ownerKey}`);
    expect(res.status).toBe(200);
    return (res.body.data as Array<{ kind: string; to: string; body: string }>).filter((e) => e.kind === kind);
  };
  const tokenIn = (body: string, path: string) => {
    const match = new RegExp(`https://leads\\.example\\.com${path}#token=([A-Za-z0-9_-]+)`).exec(body);
    expect(match, body).not.toBeNull();
    return match![1]!;
  };

  it('invites by an owner key, the invitee sets a password from the emailed link and is signed in, then signs in again', async () => {
    const invited = await request(app)
      .post('/v1/invitations')
      .set('Authorization', `Bearer ${ownerKey}`)
      .send({ email: 'Op@Rivera.example', role: 'operator' });
    expect(invited.status).toBe(201);
    expect(invited.body).toMatchObject({ email: 'op@rivera.example', role: 'operator' });
    expect(new Date(invited.body.expiresAt).getTime()).toBe(clock.getTime() + 7 * 24 * HOUR);
    // An operator cannot invite.
    const refused = await request(app)
      .post('/v1/invitations')
      .set('Authorization', `Bearer ${operatorKey}`)
      .send({ email: 'x@rivera.example', role: 'owner' });
    expect(refused.status).toBe(403);

    const [mail] = await outbox('invitation');
    expect(mail!.to).toBe('op@rivera.example');
    const token = tokenIn(mail!.body, '/app/accept-invitation');
    // Only the hash of the token is stored.
    const rows = await database.db.invitation.findMany();
    expect(JSON.stringify(rows)).not.toContain(token);

    const weak = await request(app).post('/v1/auth/invitations/accept').send({ token, password: 'short', name: 'Op' });
    expect(weak.status).toBe(400);
    expect(weak.body.error.details[0].field).toBe('password');

    const accepted = await request(app)
      .post('/v1/auth/invitations/accept')
      .send({ token, password: PASSWORD, name: 'Olu Operator' });
    expect(accepted.status).toBe(200);
    expect(accepted.body.user).toMatchObject({ email: 'op@rivera.example', role: 'operator', name: 'Olu Operator' });
    const cookie = sessionCookieOf(accepted.headers['set-cookie']);
    expect((await request(app).get('/v1/business').set('Cookie', cookie)).status).toBe(200);

    const again = await request(app)
      .post('/v1/auth/invitations/accept')
      .send({ token, password: PASSWORD, name: 'Someone else' });
    expect(again.status).toBe(400);
    expect(again.body.error.details[0].field).toBe('token');

    const signedIn = await signIn(app, 'op@rivera.example', PASSWORD);
    expect(signedIn.cookie).toMatch(/^leadflow_session=/);
    const invitedAgain = await request(app)
      .post('/v1/invitations')
      .set('Authorization', `Bearer ${ownerKey}`)
      .send({ email: 'op@rivera.example', role: 'operator' });
    expect(invitedAgain.status).toBe(409);
  });

  it('refuses an expired invitation', async () => {
    const invited = await request(app)
      .post('/v1/invitations')
      .set('Authorization', `Bearer ${ownerKey}`)
      .send({ email: 'late@rivera.example', role: 'compliance' });
    expect(invited.status).toBe(201);
    const token = tokenIn(
      (await outbox('invitation')).find((m) => m.to === 'late@rivera.example')!.body,
      '/app/accept-invitation',
    );
    const saved = clock;
    clock = new Date(clock.getTime() + 7 * 24 * HOUR + 1000);
    try {
      const res = await request(app)
        .post('/v1/auth/invitations/accept')
        .send({ token, password: PASSWORD, name: 'Late' });
      expect(res.status).toBe(400);
    } finally {
      clock = saved;
    }
  });

  it('lists people, changes a role and removes a person for the owner only; the removed person’s session ends', async () => {
    const owner = await signIn(app, 'owner@rivera.example', PASSWORD);
    const op = await signIn(app, 'op@rivera.example', PASSWORD);
    expect((await request(app).get('/v1/users').set('Cookie', op.cookie)).status).toBe(403);
    const list = await request(app).get('/v1/users').set('Cookie', owner.cookie);
    expect(list.status).toBe(200);
    const opRow = (list.body.items as Array<{ id: string; email: string; role: string }>).find(
      (u) => u.email === 'op@rivera.example',
    )!;
    expect(opRow).toMatchObject({ role: 'operator', totpEnabled: false });
    expect(JSON.stringify(list.body)).not.toMatch(/password|\$2b\$/);

    expect((await request(app).get('/v1/leads').set('Cookie', op.cookie)).status).toBe(200);
    const promoted = await request(app)
      .patch(`/v1/users/${opRow.id}`)
      .set('Cookie', owner.cookie)
      .set('X-CSRF-Token', owner.csrfToken)
      .send({ role: 'compliance' });
    expect(promoted.status).toBe(200);
    expect(promoted.body.role).toBe('compliance');
    // The new role counts from the next request of a session already open: compliance reads no lead list.
    expect((await request(app).get('/v1/leads').set('Cookie', op.cookie)).status).toBe(403);
    const badRole = await request(app)
      .patch(`/v1/users/${opRow.id}`)
      .set('Authorization', `Bearer ${ownerKey}`)
      .send({ role: 'widget' });
    expect(badRole.status).toBe(400);
    expect(badRole.body.error.details[0].field).toBe('role');

    const ownerRow = (list.body.items as Array<{ id: string; email: string }>).find(
      (u) => u.email === 'owner@rivera.example',
    )!;
    const lastOwner = await request(app).delete(`/v1/users/${ownerRow.id}`).set('Authorization', `Bearer ${ownerKey}`);
    expect(lastOwner.status).toBe(409);

    const removed = await request(app)
      .delete(`/v1/users/${opRow.id}`)
      .set('Cookie', owner.cookie)
      .set('X-CSRF-Token', owner.csrfToken);
    expect(removed.status).toBe(204);
    expect((await request(app).get('/v1/business').set('Cookie', op.cookie)).status).toBe(401);
    expect(await database.db.userSession.count({ where: { userId: opRow.id } })).toBe(0);

    const audit = await database.db.auditLog.findMany({
      where: { businessId, action: { in: ['invite', 'role_change', 'accept_invitation'] } },
    });
    expect(new Set(audit.map((a) => a.action))).toEqual(new Set(['invite', 'role_change', 'accept_invitation']));
  });

  it('resets a password by an emailed link that works once and expires after 30 minutes', async () => {
    await createUser(database.db, businessId, {
      email: 'forgetful@rivera.example',
      password: PASSWORD,
      role: 'operator',
    });
    const before = await signIn(app, 'forgetful@rivera.example', PASSWORD);
    const unknown = await request(app).post('/v1/auth/password-reset').send({ email: 'nobody@rivera.example' });
    expect(unknown.status).toBe(202);
    const asked = await request(app).post('/v1/auth/password-reset').send({ email: 'forgetful@rivera.example' });
    expect(asked.status).toBe(202);
    const mails = (await outbox('password_reset')).filter((m) => m.to === 'forgetful@rivera.example');
    expect(mails).toHaveLength(1);
    const token = tokenIn(mails[0]!.body, '/app/reset-password');

    const NEW = 'a much better passphrase';
    const done = await request(app).post('/v1/auth/password-reset/complete').send({ token, password: NEW });
    expect(done.status).toBe(204);
    // Single use; the old password and the sessions from before are gone.
    expect(
      (await request(app).post('/v1/auth/password-reset/complete').send({ token, password: 'yet another passphrase' }))
        .status,
    ).toBe(400);
    expect(
      (await request(app).post('/v1/auth/sign-in').send({ email: 'forgetful@rivera.example', password: PASSWORD }))
        .status,
    ).toBe(401);
    expect((await request(app).get('/v1/business').set('Cookie', before.cookie)).status).toBe(401);
    await signIn(app, 'forgetful@rivera.example', NEW);

    // A link older than 30 minutes is refused.
    clock = new Date(clock.getTime() + 2 * 60_000);
    await request(app).post('/v1/auth/password-reset').send({ email: 'forgetful@rivera.example' });
    const late = tokenIn(
      (await outbox('password_reset')).filter((m) => m.to === 'forgetful@rivera.example')[0]!.body,
      '/app/reset-password',
    );
    expect(late).not.toBe(token);
    clock = new Date(clock.getTime() + 31 * 60_000);
    expect(
      (
        await request(app)
          .post('/v1/auth/password-reset/complete')
          .send({ token: late, password: 'the newest passphrase' })
      ).status,
    ).toBe(400);
    await signIn(app, 'forgetful@rivera.example', NEW);
  });

  it('ends a session after 12 idle hours, and after 7 days however busy', async () => {
    const { cookie } = await signIn(app, 'owner@rivera.example', PASSWORD);
    clock = new Date(clock.getTime() + 11 * HOUR);
    expect((await request(app).get('/v1/business').set('Cookie', cookie)).status).toBe(200);
    clock = new Date(clock.getTime() + 11 * HOUR);
    expect((await request(app).get('/v1/business').set('Cookie', cookie)).status).toBe(200);
    clock = new Date(clock.getTime() + 12 * HOUR + 1000);
    expect((await request(app).get('/v1/business').set('Cookie', cookie)).status).toBe(401);

    const busy = await signIn(app, 'owner@rivera.example', PASSWORD);
    // Signing in again clears the person's ended sessions: the table keeps live ones only.
    const owner = await database.db.user.findFirstOrThrow({ where: { email: 'owner@rivera.example' } });
    expect(
      await database.db.userSession.count({
        where: { userId: owner.id, OR: [{ expiresAt: { lte: clock } }, { absoluteExpiresAt: { lte: clock } }] },
      }),
    ).toBe(0);
    for (let hours = 0; hours < 7 * 24 - 10; hours += 10) {
      clock = new Date(clock.getTime() + 10 * HOUR);
      expect((await request(app).get('/v1/business').set('Cookie', busy.cookie)).status).toBe(200);
    }
    clock = new Date(clock.getTime() + 10 * HOUR);
    expect((await request(app).get('/v1/business').set('Cookie', busy.cookie)).status).toBe(401);
  });

  it('locks the account after ten wrong passwords, not the address’s valid API keys', async () => {
    await createUser(database.db, businessId, { email: 'target@rivera.example', password: PASSWORD, role: 'owner' });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await request(app)
        .post('/v1/auth/sign-in')
        .send({ email: 'target@rivera.example', password: `guess ${i}` });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 9)).toEqual(Array(9).fill(401));
    expect(statuses[9]).toBe(429);
    const locked = await request(app)
      .post('/v1/auth/sign-in')
      .send({ email: 'target@rivera.example', password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('account_locked');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
    const row = await database.db.user.findFirstOrThrow({ where: { email: 'target@rivera.example' } });
    expect(row.lockedUntil!.getTime()).toBe(clock.getTime() + 15 * 60_000);

    // The same address, with a valid key: served.
    expect((await request(app).get('/v1/business').set('Authorization', `Bearer ${ownerKey}`)).status).toBe(200);
    // Another account from the same address still signs in.
    await signIn(app, 'owner@rivera.example', PASSWORD);

    clock = new Date(clock.getTime() + 15 * 60_000 + 1000);
    await signIn(app, 'target@rivera.example', PASSWORD);
  });

  it('throttles sign-in per address, and never a valid API key', async () => {
    const throttled = apiWithoutTemporal(database.appDb, {
      now: () => clock,
      signInThrottle: { windowMs: 15 * 60_000, maxFailures: 3, lockMs: 15 * 60_000 },
    });
    for (let i = 0; i < 3; i++)
      await request(throttled)
        .post('/v1/auth/sign-in')
        .set('X-Forwarded-For', '203.0.113.9')
        .send({ email: `n${i}@x.example`, password: 'wrong one' });
    // Loopback is the trusted proxy in tests: the forwarded address counts.
    const res = await request(throttled)
      .post('/v1/auth/sign-in')
      .set('X-Forwarded-For', '203.0.113.9')
      .send({ email: 'owner@rivera.example', password: PASSWORD });
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('rate_limited');
    expect(
      (
        await request(throttled)
          .get('/v1/business')
          .set('X-Forwarded-For', '203.0.113.9')
          .set('Authorization', `Bearer ${ownerKey}`)
      ).status,
    ).toBe(200);
    const elsewhere = await request(throttled)
      .post('/v1/auth/sign-in')
      .set('X-Forwarded-For', '203.0.113.10')
      .send({ email: 'owner@rivera.example', password: PASSWORD });
    expect(elsewhere.status).toBe(200);
  });

  it('turns on TOTP, keeping its secret sealed: sign-in then needs the code', async () => {
    await createUser(database.db, businessId, {
      email: 'careful@rivera.example',
      password: PASSWORD,
      role: 'operator',
    });
    const s = await signIn(app, 'careful@rivera.example', PASSWORD);
    const setup = await request(app)
      .post('/v1/auth/totp/setup')
      .set('Cookie', s.cookie)
      .set('X-CSRF-Token', s.csrfToken);
    expect(setup.status).toBe(200);
    expect(setup.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\/leadflow:/);
    const stored = await database.db.user.findFirstOrThrow({ where: { email: 'careful@rivera.example' } });
    expect(stored.totpSecret).toBeTruthy();
    expect(stored.totpSecret).not.toContain(setup.body.secret);
    expect(JSON.parse(stored.totpSecret!)).toMatchObject({ keyId: expect.any(String), ciphertext: expect.any(String) });
    const wrong = await request(app)
      .post('/v1/auth/totp/enable')
      .set('Cookie', s.cookie)
      .set('X-CSRF-Token', s.csrfToken)
      .send({ code: '000000' === authenticator(setup.body.secret, clock) ? '111111' : '000000' });
    expect(wrong.status).toBe(400);
    const on = await request(app)
      .post('/v1/auth/totp/enable')
      .set('Cookie', s.cookie)
      .set('X-CSRF-Token', s.csrfToken)
      .send({ code: authenticator(setup.body.secret, clock) });
    expect(on.status).toBe(204);

    const needsCode = await request(app)
      .post('/v1/auth/sign-in')
      .send({ email: 'careful@rivera.example', password: PASSWORD });
    expect(needsCode.status).toBe(401);
    expect(needsCode.body.error.code).toBe('totp_required');
    const withCode = await request(app)
      .post('/v1/auth/sign-in')
      .send({ email: 'careful@rivera.example', password: PASSWORD, totpCode: authenticator(setup.body.secret, clock) });
    expect(withCode.status).toBe(200);
  });

  it('refuses to set up TOTP where no ENCRYPTION_KEY could seal its secret, naming the setting', async () => {
    const unkeyed = apiWithoutTemporal(database.appDb, { now: () => clock });
    await createUser(database.db, businessId, { email: 'nokey@rivera.example', password: PASSWORD, role: 'operator' });
    const s = await signIn(unkeyed, 'nokey@rivera.example', PASSWORD);
    const setup = await request(unkeyed)
      .post('/v1/auth/totp/setup')
      .set('Cookie', s.cookie)
      .set('X-CSRF-Token', s.csrfToken);
    expect(setup.status).toBe(409);
    expect(setup.body.error.details).toEqual([{ field: 'ENCRYPTION_KEY', reason: 'is not configured' }]);
    const stored = await database.db.user.findFirstOrThrow({ where: { email: 'nokey@rivera.example' } });
    expect(stored.totpSecret).toBeNull();
  });

  it('deletes the tenant’s people, sessions and invitations with the tenant', async () => {
    const other = await createBusiness(database.db);
    await createUser(database.db, other.id, { email: 'gone@other.example', password: PASSWORD, role: 'owner' });
    await signIn(app, 'gone@other.example', PASSWORD);
    expect(await database.db.userSession.count({ where: { businessId: other.id } })).toBe(1);
    await database.db.invitation.create({
      data: { businessId: other.id, email: 'next@other.example', role: 'operator', tokenHash: 'h', expiresAt: clock },
    });
    // The tenant purge deletes the business row; every people table cascades from it.
    await database.db.business.delete({ where: { id: other.id } });
    expect(await database.db.user.count({ where: { businessId: other.id } })).toBe(0);
    expect(await database.db.userSession.count({ where: { businessId: other.id } })).toBe(0);
    expect(await database.db.invitation.count({ where: { businessId: other.id } })).toBe(0);
    expect(await database.db.user.count({ where: { businessId } })).toBeGreaterThan(0);
  });
});
