import { createHash, randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { loadConfig } from '../../config/load-config';
import { loadBusinessSecret } from '../../db/business-secrets';
import { withTenant } from '../../db/tenant';
import { createKeyring } from '../../domain/crypto/keyring';
import { privacyKeysOf } from '../../domain/crypto/privacy-keys';
import { createLogger } from '../../logging/logger';
import { createKey } from '../../services/api-keys/create-api-key';
import { createProviders } from '../../worker/providers';
import { startGoogleFake, type GoogleFake } from '../fakes/google-fake';
import { createBusiness } from '../support/business';
import { freshDatabase, type TestDatabase } from '../support/database';
import { createUser, signIn } from '../support/people';

const PUBLIC = 'https://leads.example.com';
const CALLBACK = `${PUBLIC}/v1/integrations/google/callback`;
const SCOPE = 'https://www.googleapis.com/auth/calendar';
const CLIENT = { clientId: 'leadflow-client.apps.googleusercontent.com', clientSecret: 'GOCSPX-fake-secret' };
const TEAM = 'c_team42@group.calendar.google.com';
const HOLIDAYS = 'en.usa#holiday@group.v.calendar.google.com';

/**
 * The Google Calendar connection over the wire: the API against a local server that speaks
 * Google's OAuth 2.0 endpoints (PKCE checked) and the Calendar API's calendarList, with
 * google-auth-library and @googleapis/calendar pointed at it.
 */
describe('Google Calendar connection', () => {
  let database: TestDatabase;
  let google: GoogleFake;
  let app: ReturnType<typeof createApp>;
  const masterKey = randomBytes(32);
  const keyring = createKeyring({ current: masterKey });
  let clockOffsetMs = 0;
  let businessId = '';
  let ownerKey = '';
  let operatorKey = '';
  let strangerId = '';
  let strangerKey = '';

  beforeAll(async () => {
    database = await freshDatabase();
    google = await startGoogleFake({
      ...CLIENT,
      calendarPageSize: 2,
      calendars: [
        { id: 'dana@riveraplumbing.example', summary: 'Dana', accessRole: 'owner', primary: true },
        { id: HOLIDAYS, summary: 'Holidays in United States', accessRole: 'reader' },
        { id: TEAM, summary: 'Jobs', accessRole: 'writer', timeZone: 'America/New_York' },
      ],
    });
    app = createApp({
      db: database.appDb,
      // Nothing here talks to Temporal.
      temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
      log: createLogger({ name: 'test', level: 'silent' }),
      now: () => new Date(Date.now() + clockOffsetMs),
      privacyKeys: privacyKeysOf(keyring),
      settings: { localSms: true, publicBaseUrl: PUBLIC, google: { ...CLIENT, apiBaseUrl: google.url } },
    });
    const business = await createBusiness(database.db);
    businessId = business.id;
    ownerKey = (await withTenant(database.db, businessId, (tx) => createKey(tx, businessId, 'owner', 'o'))).key;
    operatorKey = (await withTenant(database.db, businessId, (tx) => createKey(tx, businessId, 'operator', 'op'))).key;
    const stranger = await createBusiness(database.db);
    strangerId = stranger.id;
    strangerKey = (await withTenant(database.db, strangerId, (tx) => createKey(tx, strangerId, 'owner', 's'))).key;
  });
  afterAll(async () => {
    await google?.close();
    await database?.drop();
  });
  beforeEach(() => {
    clockOffsetMs = 0;
    google.consent.deny = false;
    delete google.consent.grantedScope;
  });

  const as = (key: string) => ({ Authorization: `Bearer ${key}` });
  const connect = async (key = ownerKey) => {
    const res = await request(app).post('/v1/integrations/google/connect').set(as(key));
    expect(res.status).toBe(200);
    return new URL(res.body.url as string);
  };
  /** The owner's browser on Google's consent page: where Google sends it back to. */
  const consentAt = async (url: URL) => {
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
    return back;
  };
  /** The browser following Google's redirect to the API. */
  const callback = (back: URL) => request(app).get(`${back.pathname}${back.search}`);
  const connectFully = async (key = ownerKey) => {
    const res = await callback(await consentAt(await connect(key)));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/app/settings?google=connected');
  };
  /** The worker's own resolver (worker/providers), configured as in production. */
  const workerCalendarFor = (id: string) =>
    createProviders(
      loadConfig({
        ENCRYPTION_KEY: masterKey.toString('hex'),
        GOOGLE_CLIENT_ID: CLIENT.clientId,
        GOOGLE_CLIENT_SECRET: CLIENT.clientSecret,
        GOOGLE_API_BASE_URL: google.url,
      }),
      { db: database.appDb, log: createLogger({ name: 'test', level: 'silent' }) },
    ).calendarFor(id);
  const storedToken = async (id = businessId) =>
    (await loadBusinessSecret(database.appDb, keyring.box, { businessId: id, kind: 'google_calendar' }))?.secret;

  it('answers Google’s consent URL: state, PKCE S256, the calendar scope, offline access, consent prompt', async () => {
    const url = await connect();
    expect(`${url.origin}${url.pathname}`).toBe(`${google.url}/o/oauth2/v2/auth`);
    const q = url.searchParams;
    expect(q.get('client_id')).toBe(CLIENT.clientId);
    expect(q.get('redirect_uri')).toBe(CALLBACK);
    expect(q.get('response_type')).toBe('code');
    expect(q.get('scope')!.split(' ')).toEqual([SCOPE]);
    expect(q.get('access_type')).toBe('offline');
    expect(q.get('prompt')).toBe('consent');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const state = q.get('state')!;
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Stored as its hash, with the verifier sealed (not the challenge, not anything readable), for 10 minutes.
    const rows = await database.db.googleOauthState.findMany({ where: { businessId } });
    const row = rows.find((r) => r.stateHash === createHash('sha256').update(state).digest('hex'))!;
    expect(row).toBeDefined();
    expect(JSON.stringify(rows)).not.toContain(state);
    expect(row.verifierCiphertext).not.toContain(q.get('code_challenge')!);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeGreaterThanOrEqual(10 * 60_000 - 1000);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeLessThanOrEqual(10 * 60_000 + 1000);

    // A second consent gets another state.
    expect((await connect()).searchParams.get('state')).not.toBe(state);
  });

  it('lets only the owner start a connection', async () => {
    const res = await request(app).post('/v1/integrations/google/connect').set(as(operatorKey));
    expect(res.status).toBe(403);
    expect((await request(app).post('/v1/integrations/google/connect')).status).toBe(401);
  });

  it('lets a signed-in owner connect from the app (session cookie and CSRF token), audited by the person', async () => {
    const person = {
      email: 'dana@riveraplumbing.example',
      password: 'correct horse battery staple',
      role: 'owner' as const,
    };
    const { id: userId } = await createUser(database.db, businessId, person);
    const { cookie, csrfToken } = await signIn(app, person.email, person.password);
    const withoutToken = await request(app).post('/v1/integrations/google/connect').set('Cookie', cookie);
    expect(withoutToken.status).toBe(403);
    const res = await request(app)
      .post('/v1/integrations/google/connect')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', csrfToken);
    expect(res.status).toBe(200);
    expect(new URL(res.body.url).searchParams.get('code_challenge_method')).toBe('S256');
    const audit = await database.db.auditLog.findFirst({
      where: { businessId, entity: 'google_connection', actorUserId: userId },
    });
    expect(audit).toMatchObject({ action: 'create', actorRole: 'owner' });
  });

  it('exchanges the code with the matching code_verifier, stores the refresh token sealed, and redirects to the app', async () => {
    const url = await connect();
    const back = await consentAt(url);
    const res = await callback(back);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/app/settings?google=connected');

    const exchange = google.requests.filter(
      (r) => r.path === '/token' && (r.body as Record<string, string>).grant_type === 'authorization_code',
    );
    const form = exchange.at(-1)!.body as Record<string, string>;
    expect(form.code).toBe(back.searchParams.get('code'));
    expect(form.redirect_uri).toBe(CALLBACK);
    expect(form.client_id).toBe(CLIENT.clientId);
    expect(createHash('sha256').update(form.code_verifier!).digest('base64url')).toBe(
      url.searchParams.get('code_challenge'),
    );

    const refreshToken = google.refreshTokens.at(-1)!;
    const raw = await database.db.businessSecret.findFirstOrThrow({ where: { businessId, kind: 'google_calendar' } });
    expect(JSON.stringify(raw)).not.toContain(refreshToken);
    expect(JSON.stringify(raw)).not.toContain(refreshToken.slice(8));
    expect(await storedToken()).toBe(refreshToken);

    const status = await request(app).get('/v1/integrations/google').set(as(operatorKey));
    expect(status.status).toBe(200);
    expect(status.body).toEqual({
      configured: true,
      connected: true,
      calendarId: 'primary',
      connectedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(JSON.stringify(status.body)).not.toContain(refreshToken);
  });

  it('refuses a replayed state with a 400 naming state', async () => {
    const back = await consentAt(await connect());
    expect((await callback(back)).status).toBe(303);
    const again = await callback(back);
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('bad_request');
    expect(again.body.error.message).toMatch(/^state: /);
    expect(again.body.error.details).toEqual([{ field: 'state', reason: 'unknown, already used or expired' }]);
  });

  it('refuses an expired state (after 10 minutes), an unknown one and a missing one', async () => {
    const before = google.refreshTokens.length;
    const back = await consentAt(await connect());
    clockOffsetMs = 10 * 60_000 + 1000;
    const late = await callback(back);
    expect(late.status).toBe(400);
    expect(late.body.error.details[0].field).toBe('state');
    // Refused before any code exchange.
    expect(google.refreshTokens.length).toBe(before);

    const unknown = await request(app).get('/v1/integrations/google/callback').query({ code: 'x', state: 'forged' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/^state: /);
    const missing = await request(app).get('/v1/integrations/google/callback').query({ code: 'x' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details[0].field).toBe('query.state');
  });

  it('sends the owner back to the app with a clear message when they decline, and uses up the state', async () => {
    const before = await storedToken();
    google.consent.deny = true;
    const back = await consentAt(await connect());
    expect(back.searchParams.get('error')).toBe('access_denied');
    const res = await callback(back);
    expect(res.status).toBe(303);
    const location = new URL(res.headers.location!, PUBLIC);
    expect(location.pathname).toBe('/app/settings');
    expect(location.searchParams.get('google')).toBe('denied');
    expect(location.searchParams.get('message')).toMatch(/not connected: access was not allowed/);
    expect(await storedToken()).toBe(before);
    expect((await callback(back)).status).toBe(400);
  });

  it('does not connect when Google refuses the code or the owner unticks calendar access', async () => {
    const before = await storedToken();
    const back = await consentAt(await connect());
    back.searchParams.set('code', '4/fake-not-issued');
    const refused = await callback(back);
    expect(refused.status).toBe(303);
    expect(new URL(refused.headers.location!, PUBLIC).searchParams.get('reason')).toBe('exchange_refused');

    google.consent.grantedScope = 'openid';
    const narrow = await callback(await consentAt(await connect()));
    expect(new URL(narrow.headers.location!, PUBLIC).searchParams.get('google')).toBe('failed');
    expect(new URL(narrow.headers.location!, PUBLIC).searchParams.get('reason')).toBe('scope_not_granted');
    // The useless grant is handed back to Google, and the earlier connection stays.
    expect(google.revokedTokens).toContain(google.refreshTokens.at(-1));
    expect(await storedToken()).toBe(before);
  });

  it('lists the account’s calendars across pages, the primary first, and picks the one booking uses', async () => {
    await connectFully();
    const list = await request(app).get('/v1/integrations/google/calendars').set(as(ownerKey));
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([
      {
        id: 'dana@riveraplumbing.example',
        summary: 'Dana',
        primary: true,
        accessRole: 'owner',
        timeZone: 'UTC',
        bookable: true,
      },
      {
        id: HOLIDAYS,
        summary: 'Holidays in United States',
        primary: false,
        accessRole: 'reader',
        timeZone: 'UTC',
        bookable: false,
      },
      { id: TEAM, summary: 'Jobs', primary: false, accessRole: 'writer', timeZone: 'America/New_York', bookable: true },
    ]);
    const pages = google.requests.filter((r) => r.path === '/calendar/v3/users/me/calendarList');
    expect(pages.at(-1)!.query.pageToken).toBe('2');

    const readOnly = await request(app)
      .put('/v1/integrations/google/calendar')
      .set(as(ownerKey))
      .send({ calendarId: HOLIDAYS });
    expect(readOnly.status).toBe(400);
    expect(readOnly.body.error.details[0].field).toBe('calendarId');
    const unknown = await request(app)
      .put('/v1/integrations/google/calendar')
      .set(as(ownerKey))
      .send({ calendarId: 'someone-else@example.com' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/^calendarId: is not a calendar/);
    const empty = await request(app).put('/v1/integrations/google/calendar').set(as(ownerKey)).send({});
    expect(empty.status).toBe(400);
    expect(empty.body.error.details[0].field).toBe('calendarId');
    const byOperator = await request(app)
      .put('/v1/integrations/google/calendar')
      .set(as(operatorKey))
      .send({ calendarId: TEAM });
    expect(byOperator.status).toBe(403);

    const picked = await request(app)
      .put('/v1/integrations/google/calendar')
      .set(as(ownerKey))
      .send({ calendarId: TEAM });
    expect(picked.status).toBe(200);
    expect(picked.body).toMatchObject({ connected: true, calendarId: TEAM });
    expect((await request(app).get('/v1/integrations/google').set(as(ownerKey))).body.calendarId).toBe(TEAM);

    // The worker's calendar resolver books on the connected account and the picked calendar.
    const calendar = await workerCalendarFor(businessId);
    expect(calendar?.calendarId).toBe(TEAM);
    const start = new Date(Date.now() + 86_400_000);
    google.addBusy(TEAM, { start, end: new Date(start.getTime() + 3_600_000) });
    const busy = await calendar!.provider.freeBusy({
      calendarId: TEAM,
      from: new Date(),
      to: new Date(Date.now() + 2 * 86_400_000),
    });
    expect(busy).toEqual([{ start, end: new Date(start.getTime() + 3_600_000) }]);
    const refresh = google.requests.filter(
      (r) => r.path === '/token' && (r.body as Record<string, string>).grant_type === 'refresh_token',
    );
    expect((refresh.at(-1)!.body as Record<string, string>).refresh_token).toBe(await storedToken());
  });

  it('keeps each tenant to its own connection and states', async () => {
    await connectFully();
    // The stranger's own state in flight, and A's connection, are invisible across the tenant line.
    const strangerUrl = await connect(strangerKey);
    expect((await request(app).get('/v1/integrations/google').set(as(strangerKey))).body).toEqual({
      configured: true,
      connected: false,
      calendarId: null,
      connectedAt: null,
    });
    expect((await request(app).get('/v1/integrations/google/calendars').set(as(strangerKey))).status).toBe(409);
    const pick = await request(app)
      .put('/v1/integrations/google/calendar')
      .set(as(strangerKey))
      .send({ calendarId: TEAM });
    expect(pick.status).toBe(409);
    await withTenant(database.appDb, strangerId, async (tx) => {
      expect(await tx.businessSecret.count()).toBe(0);
      expect(await tx.googleOauthState.count()).toBe(1);
    });
    expect(await database.db.googleOauthState.count({ where: { businessId } })).toBeGreaterThan(0);

    // A state connects the business that started it, whoever's browser brings it back.
    const aToken = await storedToken();
    expect((await callback(await consentAt(strangerUrl))).status).toBe(303);
    expect(await storedToken(strangerId)).toBe(google.refreshTokens.at(-1));
    expect(await storedToken()).toBe(aToken);
    // The stranger disconnecting touches only its own connection.
    expect((await request(app).delete('/v1/integrations/google').set(as(strangerKey))).status).toBe(204);
    expect(await storedToken()).toBe(aToken);
  });

  it('disconnects: revokes the token at Google, deletes it, and books on the built-in calendar again', async () => {
    await connectFully();
    const token = (await storedToken())!;
    expect((await request(app).delete('/v1/integrations/google').set(as(operatorKey))).status).toBe(403);

    const res = await request(app).delete('/v1/integrations/google').set(as(ownerKey));
    expect(res.status).toBe(204);
    const revoke = google.requests.filter((r) => r.path === '/revoke').at(-1)!;
    expect(revoke.method).toBe('POST');
    expect(revoke.query.token).toBe(token);
    expect(google.revokedTokens).toContain(token);
    expect(await database.db.businessSecret.count({ where: { businessId } })).toBe(0);
    expect((await request(app).get('/v1/integrations/google').set(as(ownerKey))).body.connected).toBe(false);
    expect((await request(app).get('/v1/integrations/google/calendars').set(as(ownerKey))).status).toBe(409);
    expect(await workerCalendarFor(businessId)).toBeNull();

    // Nothing left to revoke: still 204, and Google is not called.
    const revokes = google.requests.filter((r) => r.path === '/revoke').length;
    expect((await request(app).delete('/v1/integrations/google').set(as(ownerKey))).status).toBe(204);
    expect(google.requests.filter((r) => r.path === '/revoke').length).toBe(revokes);
  });

  it('asks the owner to connect again when Google no longer accepts the token', async () => {
    await connectFully();
    // Revoked from the Google account's own settings, not through leadflow.
    const token = (await storedToken())!;
    await fetch(`${google.url}/revoke?token=${encodeURIComponent(token)}`, { method: 'POST' });
    const list = await request(app).get('/v1/integrations/google/calendars').set(as(ownerKey));
    expect(list.status).toBe(409);
    expect(list.body.error.message).toMatch(/connect Google Calendar again/);
    // Disconnecting still works: Google calls the token invalid, leadflow deletes it.
    expect((await request(app).delete('/v1/integrations/google').set(as(ownerKey))).status).toBe(204);
    expect(await storedToken()).toBeUndefined();
  });

  it('documents each route in /openapi.json under its operationId', async () => {
    const doc = (await request(app).get('/openapi.json')).body as {
      paths: Record<string, Record<string, { operationId: string; security?: unknown[] }>>;
    };
    const ids = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/v1/integrations/google'))
      .flatMap(([, methods]) => Object.values(methods).map((op) => op.operationId));
    expect(ids.sort()).toEqual([
      'deleteIntegrationsGoogle',
      'getIntegrationsGoogle',
      'getIntegrationsGoogleCalendars',
      'getIntegrationsGoogleCallback',
      'postIntegrationsGoogleConnect',
      'putIntegrationsGoogleCalendar',
    ]);
    // Google sends the browser without a key: the state is the callback's only credential.
    expect(doc.paths['/v1/integrations/google/callback']!.get!.security).toEqual([]);
  });

  it('answers 409 naming the missing settings when the server has no Google client', async () => {
    const bare = createApp({
      db: database.appDb,
      temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
      log: createLogger({ name: 'test', level: 'silent' }),
      privacyKeys: privacyKeysOf(keyring),
      settings: { localSms: true },
    });
    const res = await request(bare).post('/v1/integrations/google/connect').set(as(ownerKey));
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/GOOGLE_CLIENT_ID/);
    expect((await request(bare).get('/v1/integrations/google').set(as(ownerKey))).body.configured).toBe(false);
    expect((await request(bare).get('/v1/integrations/google/calendars').set(as(ownerKey))).status).toBe(409);
    // A state is still checked first: nobody learns more than "bad state".
    const stray = await request(bare).get('/v1/integrations/google/callback').query({ code: 'x', state: 'forged' });
    expect(stray.status).toBe(400);
    // Nothing connected: nothing to revoke, whatever the configuration.
    expect((await request(bare).delete('/v1/integrations/google').set(as(strangerKey))).status).toBe(204);
  });
});
