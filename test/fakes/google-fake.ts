import { randomBytes } from 'node:crypto';
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
  /** The next `count` Calendar API calls (not token requests) answer with this error. */
  failNext(count: number, failure: GoogleFailure): void;
}

export interface GoogleFailure {
  status: number;
  /** Google's error reason, e.g. 'backendError', 'rateLimitExceeded'. */
  reason?: string;
}

export interface GoogleFakeOptions {
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

/** A server speaking Google's OAuth token endpoint and the Calendar v3 calls the adapter uses. */
export async function startGoogleFake(options: GoogleFakeOptions = {}): Promise<GoogleFake> {
  const events = new Map<string, GoogleFakeEvent>();
  const busy = new Map<string, Interval[]>();
  const issuedTokens: string[] = [];
  const failures: GoogleFailure[] = [];
  const live = (calendarId: string) =>
    [...events.values()].filter((e) => e.calendarId === calendarId && e.status !== 'cancelled');

  const server = await startFakeServer((req, res) => {
    if (req.method === 'POST' && req.path === '/token') {
      const form = (req.body ?? {}) as Record<string, string>;
      if (form.grant_type !== 'refresh_token' || !form.refresh_token || !form.client_id || !form.client_secret) {
        return sendJson(res, 400, {
          error: 'invalid_request',
          error_description: 'refresh_token grant with client credentials required',
        });
      }
      if (options.refreshToken !== undefined && form.refresh_token !== options.refreshToken) {
        return sendJson(res, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
      }
      const token = `ya29.fake-${randomBytes(8).toString('hex')}`;
      issuedTokens.push(token);
      return sendJson(res, 200, {
        access_token: token,
        expires_in: options.expiresInSeconds ?? 3599,
        token_type: 'Bearer',
        scope: 'https://www.googleapis.com/auth/calendar',
      });
    }

    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !issuedTokens.includes(bearer)) return googleError(res, 401, 'authError', 'Invalid Credentials');
    const failure = failures.shift();
    if (failure)
      return googleError(res, failure.status, failure.reason ?? 'backendError', `Scripted failure ${failure.status}`);

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
    liveEvents: live,
    failNext(count, failure) {
      for (let i = 0; i < count; i += 1) failures.push(failure);
    },
    addBusy(calendarId, interval) {
      busy.set(calendarId, [...(busy.get(calendarId) ?? []), interval]);
    },
  };
}
