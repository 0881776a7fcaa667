import { createHash, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendJson, startFakeServer, type FakeServer } from './http-fake';

export interface GoogleFakeEvent {
  id: string;
  calendarId: string;
  status: 'confirmed' | 'cancelled';
  summary?: string;
  description?: string;
  start: { dateTime: string };
  end: { dateTime: string };
  extendedProperties?: { private?: Record<string, string> };
}

export interface GoogleFake extends FakeServer {
  /** Events by `${calendarId}/${eventId}`; deleted ones stay with status 'cancelled', as Google keeps them. */
  events: Map<string, GoogleFakeEvent>;
  /** Live (not cancelled) events of one calendar. */
  liveEvents(calendarId: string): GoogleFakeEvent[];
  /** Extra busy time, as if the owner had other appointments. */
  addBusy(calendarId: string, interval: { start: Date; end: Date }): void;
  /** Access tokens handed out by POST /token. */
  issuedTokens: string[];
  /** Refresh tokens handed out by the authorization-code grant. */
  refreshTokens: string[];
  /** Tokens revoked through POST /revoke (a revoked refresh token takes its access tokens with it). */
  revokedTokens: string[];
  /** The account's calendars, as calendarList.list answers them. */
  calendars: GoogleFakeCalendar[];
  /**
   * What the consent page does next: grant (the default) with the requested scope or a narrower
   * one (the owner unticked the calendar), or answer access_denied (the owner pressed Cancel).
   */
  consent: { deny: boolean; grantedScope?: string };
  /** The next `count` Calendar API calls (not token requests) answer with this error. */
  failNext(count: number, failure: GoogleFailure): void;
}

export interface GoogleFailure {
  status: number;
  /** Google's error reason, e.g. 'backendError', 'rateLimitExceeded'. */
  reason?: string;
}

export interface GoogleFakeCalendar {
  id: string;
  summary: string;
  accessRole: 'owner' | 'writer' | 'reader' | 'freeBusyReader';
  primary?: boolean;
  timeZone?: string;
}

export interface GoogleFakeOptions {
  /** The OAuth client the consent page and the code exchange accept; unset: any. */
  clientId?: string;
  clientSecret?: string;
  calendars?: GoogleFakeCalendar[];
  /** calendarList.list pages at most this many entries (Google: maxResults, up to 250). */
  calendarPageSize?: number;
  /** When set, the token endpoint accepts only this refresh token. */
  refreshToken?: string;
  /** Lifetime of issued access tokens; Google's is an hour. */
  expiresInSeconds?: number;
}

interface Interval {
  start: Date;
  end: Date;
}

const googleError = (res: ServerResponse, code: number, reason: string, message: string) =>
  sendJson(res, code, { error: { code, message, errors: [{ domain: 'global', reason, message }] } });

const eventJson = (e: GoogleFakeEvent) => ({
  kind: 'calendar#event',
  etag: `"${Date.now()}"`,
  htmlLink: `https://calendar.example/event?eid=${e.id}`,
  ...e,
});

interface PendingCode {
  clientId: string;
  redirectUri: string;
  scope: string;
  codeChallenge: string;
  used: boolean;
}

const pkceChallenge = (verifier: string) => createHash('sha256').update(verifier, 'ascii').digest('base64url');

/**
 * A server speaking Google's OAuth 2.0 endpoints (the consent page's redirect, token with the
 * authorization-code and refresh grants, PKCE checked; revoke) and the Calendar v3 calls leadflow uses.
 */
export async function startGoogleFake(options: GoogleFakeOptions = {}): Promise<GoogleFake> {
  const events = new Map<string, GoogleFakeEvent>();
  const busy = new Map<string, Interval[]>();
  const issuedTokens: string[] = [];
  const refreshTokens: string[] = [];
  const revokedTokens: string[] = [];
  /** Which refresh token each access token came from. */
  const tokenSource = new Map<string, string>();
  const codes = new Map<string, PendingCode>();
  const calendars: GoogleFakeCalendar[] = options.calendars ?? [
    { id: 'owner@example.com', summary: 'owner@example.com', accessRole: 'owner', primary: true, timeZone: 'UTC' },
  ];
  const consent: GoogleFake['consent'] = { deny: false };
  const failures: GoogleFailure[] = [];
  const live = (calendarId: string) =>
    [...events.values()].filter((e) => e.calendarId === calendarId && e.status !== 'cancelled');
  const revoked = (token: string) =>
    revokedTokens.includes(token) || revokedTokens.includes(tokenSource.get(token) ?? '');
  const clientMatches = (form: Record<string, string | undefined>) =>
    Boolean(form.client_id && form.client_secret) &&
    (options.clientId === undefined || form.client_id === options.clientId) &&
    (options.clientSecret === undefined || form.client_secret === options.clientSecret);
  const grantError = (res: ServerResponse, description: string) =>
    sendJson(res, 400, { error: 'invalid_grant', error_description: description });
  const issueAccessToken = (refreshToken: string) => {
    const token = `ya29.fake-${randomBytes(8).toString('hex')}`;
    issuedTokens.push(token);
    tokenSource.set(token, refreshToken);
    return token;
  };

  const server = await startFakeServer((req, res) => {
    // The consent page, as if the owner had signed in and answered it: straight back to redirect_uri.
    if (req.method === 'GET' && req.path === '/o/oauth2/v2/auth') {
      const q = req.query;
      const problem =
        q.response_type !== 'code'
          ? 'response_type must be code'
          : !q.client_id || (options.clientId !== undefined && q.client_id !== options.clientId)
            ? 'invalid_client'
            : !q.redirect_uri || !URL.canParse(q.redirect_uri)
              ? 'redirect_uri_mismatch'
              : !q.scope
                ? 'missing scope'
                : q.code_challenge_method !== 'S256' || !q.code_challenge
                  ? 'PKCE with S256 required'
                  : null;
      if (problem) return sendJson(res, 400, { error: 'invalid_request', error_description: problem });
      const back = new URL(q.redirect_uri!);
      if (consent.deny) back.searchParams.set('error', 'access_denied');
      else {
        const code = `4/fake-${randomBytes(12).toString('hex')}`;
        codes.set(code, {
          clientId: q.client_id!,
          redirectUri: q.redirect_uri!,
          scope: consent.grantedScope ?? q.scope!,
          codeChallenge: q.code_challenge!,
          used: false,
        });
        back.searchParams.set('code', code);
        back.searchParams.set('scope', consent.grantedScope ?? q.scope!);
      }
      if (q.state !== undefined) back.searchParams.set('state', q.state);
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }

    if (req.method === 'POST' && req.path === '/revoke') {
      const form = (req.body ?? {}) as Record<string, string>;
      const token = req.query.token ?? form.token ?? '';
      const known = refreshTokens.includes(token) || issuedTokens.includes(token);
      if (!known || revoked(token))
        return sendJson(res, 400, { error: 'invalid_token', error_description: 'Token expired or revoked' });
      revokedTokens.push(tokenSource.get(token) ?? token);
      return sendJson(res, 200, {});
    }

    if (
      req.method === 'POST' &&
      req.path === '/token' &&
      (req.body as { grant_type?: string })?.grant_type === 'authorization_code'
    ) {
      const form = req.body as Record<string, string>;
      if (!clientMatches(form))
        return sendJson(res, 401, { error: 'invalid_client', error_description: 'Unauthorized' });
      const pending = form.code ? codes.get(form.code) : undefined;
      if (!pending || pending.used) return grantError(res, 'Malformed auth code.');
      pending.used = true;
      if (pending.clientId !== form.client_id) return grantError(res, 'Malformed auth code.');
      if (pending.redirectUri !== form.redirect_uri)
        return sendJson(res, 400, { error: 'redirect_uri_mismatch', error_description: 'Bad Request' });
      if (!form.code_verifier) return grantError(res, 'Missing code verifier.');
      if (pkceChallenge(form.code_verifier) !== pending.codeChallenge) return grantError(res, 'Invalid code verifier.');
      const refreshToken = `1//fake-${randomBytes(16).toString('hex')}`;
      refreshTokens.push(refreshToken);
      return sendJson(res, 200, {
        access_token: issueAccessToken(refreshToken),
        expires_in: options.expiresInSeconds ?? 3599,
        refresh_token: refreshToken,
        scope: pending.scope,
        token_type: 'Bearer',
      });
    }

    if (req.method === 'POST' && req.path === '/token') {
      const form = (req.body ?? {}) as Record<string, string>;
      if (form.grant_type !== 'refresh_token' || !form.refresh_token || !form.client_id || !form.client_secret) {
        return sendJson(res, 400, {
          error: 'invalid_request',
          error_description: 'refresh_token grant with client credentials required',
        });
      }
      const known =
        options.refreshToken === undefined ||
        form.refresh_token === options.refreshToken ||
        refreshTokens.includes(form.refresh_token);
      if (!known || revoked(form.refresh_token)) {
        return sendJson(res, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
      }
      const token = issueAccessToken(form.refresh_token);
      return sendJson(res, 200, {
        access_token: token,
        expires_in: options.expiresInSeconds ?? 3599,
        token_type: 'Bearer',
        scope: 'https://www.googleapis.com/auth/calendar',
      });
    }

    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !issuedTokens.includes(bearer) || revoked(bearer))
      return googleError(res, 401, 'authError', 'Invalid Credentials');
    const failure = failures.shift();
    if (failure)
      return googleError(res, failure.status, failure.reason ?? 'backendError', `Scripted failure ${failure.status}`);

    if (req.method === 'GET' && req.path === '/calendar/v3/users/me/calendarList') {
      const size = Math.min(Number(req.query.maxResults ?? 100), options.calendarPageSize ?? 250);
      const start = Number(req.query.pageToken ?? 0);
      const page = calendars.slice(start, start + size).map((c) => ({
        kind: 'calendar#calendarListEntry',
        etag: `"${start}"`,
        id: c.id,
        summary: c.summary,
        timeZone: c.timeZone ?? 'UTC',
        colorId: '14',
        backgroundColor: '#9fe1e7',
        foregroundColor: '#000000',
        selected: true,
        accessRole: c.accessRole,
        defaultReminders: [],
        conferenceProperties: { allowedConferenceSolutionTypes: ['hangoutsMeet'] },
        ...(c.primary ? { primary: true } : {}),
      }));
      const next = start + size < calendars.length ? String(start + size) : undefined;
      return sendJson(res, 200, {
        kind: 'calendar#calendarList',
        etag: '"p33c9v1"',
        ...(next ? { nextPageToken: next } : { nextSyncToken: 'sync-fake' }),
        items: page,
      });
    }

    if (req.method === 'POST' && req.path === '/calendar/v3/freeBusy') {
      const body = req.body as { timeMin: string; timeMax: string; items: Array<{ id: string }> };
      const from = new Date(body.timeMin);
      const to = new Date(body.timeMax);
      const calendars = Object.fromEntries(
        body.items.map(({ id }) => {
          const intervals = [
            ...live(id).map((e) => ({ start: new Date(e.start.dateTime), end: new Date(e.end.dateTime) })),
            ...(busy.get(id) ?? []),
          ]
            .filter((i) => i.start < to && i.end > from)
            .sort((a, b) => a.start.getTime() - b.start.getTime());
          return [id, { busy: intervals.map((i) => ({ start: i.start.toISOString(), end: i.end.toISOString() })) }];
        }),
      );
      return sendJson(res, 200, { kind: 'calendar#freeBusy', timeMin: body.timeMin, timeMax: body.timeMax, calendars });
    }

    const collection = /^\/calendar\/v3\/calendars\/([^/]+)\/events$/.exec(req.path);
    if (collection && req.method === 'GET') {
      const calendarId = decodeURIComponent(collection[1] ?? '');
      const wanted = new URL(req.url, 'http://fake').searchParams
        .getAll('privateExtendedProperty')
        .map((p) => p.split('='));
      const items = [...events.values()]
        .filter((e) => e.calendarId === calendarId && (req.query.showDeleted === 'true' || e.status !== 'cancelled'))
        .filter((e) => wanted.every(([k, v]) => k !== undefined && e.extendedProperties?.private?.[k] === v))
        .map(eventJson);
      return sendJson(res, 200, { kind: 'calendar#events', summary: calendarId, items });
    }
    if (collection && req.method === 'POST') {
      const calendarId = decodeURIComponent(collection[1] ?? '');
      const input = req.body as Omit<GoogleFakeEvent, 'calendarId' | 'status' | 'id'> & { id?: string };
      const id = input.id ?? randomBytes(13).toString('hex');
      if (!/^[a-v0-9]{5,1024}$/.test(id)) return googleError(res, 400, 'invalid', 'Invalid resource id value.');
      const key = `${calendarId}/${id}`;
      if (events.has(key)) return googleError(res, 409, 'duplicate', 'The requested identifier already exists.');
      const event: GoogleFakeEvent = { ...input, id, calendarId, status: 'confirmed' };
      events.set(key, event);
      return sendJson(res, 200, eventJson(event));
    }

    const single = /^\/calendar\/v3\/calendars\/([^/]+)\/events\/([^/]+)$/.exec(req.path);
    if (single) {
      const key = `${decodeURIComponent(single[1] ?? '')}/${decodeURIComponent(single[2] ?? '')}`;
      const event = events.get(key);
      if (!event) return googleError(res, 404, 'notFound', 'Not Found');
      if (req.method === 'PATCH') {
        Object.assign(event, req.body as Partial<GoogleFakeEvent>, { id: event.id, calendarId: event.calendarId });
        return sendJson(res, 200, eventJson(event));
      }
      if (req.method === 'DELETE') {
        if (event.status === 'cancelled') return googleError(res, 410, 'deleted', 'Resource has been deleted');
        event.status = 'cancelled';
        res.writeHead(204).end();
        return;
      }
      if (req.method === 'GET') return sendJson(res, 200, eventJson(event));
    }
    googleError(res, 404, 'notFound', `${req.method} ${req.path} not found`);
  });

  return {
    ...server,
    events,
    issuedTokens,
    refreshTokens,
    revokedTokens,
    calendars,
    consent,
    liveEvents: live,
    failNext(count, failure) {
      for (let i = 0; i < count; i += 1) failures.push(failure);
    },
    addBusy(calendarId, interval) {
      busy.set(calendarId, [...(busy.get(calendarId) ?? []), interval]);
    },
  };
}
