import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGoogleCalendarProvider, eventIdFor } from '../../providers/calendar/google';
import type { CalendarProvider } from '../../providers/calendar/calendar-provider';
import { startGoogleFake, type GoogleFake } from '../fakes/google-fake';

const REFRESH = '1//refresh-token-for-rivera';
const CAL = 'rivera@group.calendar.google.com';
const at = (iso: string) => new Date(iso);

let fake: GoogleFake;
let cal: CalendarProvider;

beforeAll(async () => {
  fake = await startGoogleFake({ refreshToken: REFRESH });
  cal = createGoogleCalendarProvider({
    clientId: 'client-id.apps.googleusercontent.com',
    clientSecret: 'client-secret',
    refreshToken: REFRESH,
    apiBaseUrl: fake.url,
  });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});

describe('Google Calendar provider', () => {
  it('gets an access token from the token endpoint and sends it as a bearer token', async () => {
    await cal.freeBusy({ calendarId: CAL, from: at('2030-03-04T13:00:00Z'), to: at('2030-03-04T22:00:00Z') });
    const token = fake.requests.find((r) => r.path === '/token');
    expect(token?.method).toBe('POST');
    expect(token?.body).toMatchObject({
      grant_type: 'refresh_token',
      refresh_token: REFRESH,
      client_id: 'client-id.apps.googleusercontent.com',
      client_secret: 'client-secret',
    });
    const query = fake.requests.find((r) => r.path === '/calendar/v3/freeBusy');
    expect(query?.headers.authorization).toBe(`Bearer ${fake.issuedTokens.at(-1)}`);
  });

  it('a revoked refresh token fails instead of reaching Google', async () => {
    const revoked = createGoogleCalendarProvider({
      clientId: 'c',
      clientSecret: 's',
      refreshToken: 'revoked',
      apiBaseUrl: fake.url,
    });
    await expect(
      revoked.freeBusy({ calendarId: CAL, from: at('2030-03-04T13:00:00Z'), to: at('2030-03-04T22:00:00Z') }),
    ).rejects.toThrow(/invalid_grant/);
    expect(fake.requests.map((r) => r.path)).toEqual(['/token']);
  });

  it('reports busy intervals from free/busy', async () => {
    fake.addBusy(CAL, { start: at('2030-03-05T14:00:00Z'), end: at('2030-03-05T15:30:00Z') });
    fake.addBusy(CAL, { start: at('2030-03-09T14:00:00Z'), end: at('2030-03-09T15:00:00Z') });
    const busy = await cal.freeBusy({
      calendarId: CAL,
      from: at('2030-03-05T00:00:00Z'),
      to: at('2030-03-06T00:00:00Z'),
    });
    expect(busy).toEqual([{ start: at('2030-03-05T14:00:00Z'), end: at('2030-03-05T15:30:00Z') }]);
    expect(fake.requests.at(-1)?.body).toEqual({
      timeMin: '2030-03-05T00:00:00.000Z',
      timeMax: '2030-03-06T00:00:00.000Z',
      items: [{ id: CAL }],
    });
  });

  it('creates an event idempotently: a retry returns the same id and leaves one event', async () => {
    const appointmentId = '3f2b8c1e-9a4d-4e7f-8b6a-1c2d3e4f5a6b';
    const input = {
      calendarId: CAL,
      start: at('2030-03-06T15:00:00Z'),
      end: at('2030-03-06T16:00:00Z'),
      summary: 'Drain cleaning — Dana W.',
      description: 'Booked by SMS',
      appointmentId,
    };
    const first = await cal.createEvent(input);
    const retry = await cal.createEvent(input);

    expect(first.eventId).toBe('lf3f2b8c1e9a4d4e7f8b6a1c2d3e4f5a6b');
    expect(retry).toEqual(first);
    expect(fake.liveEvents(CAL)).toHaveLength(1);
    const inserts = fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/events'));
    expect(inserts.map((r) => r.path)).toEqual([
      `/calendar/v3/calendars/${encodeURIComponent(CAL)}/events`,
      `/calendar/v3/calendars/${encodeURIComponent(CAL)}/events`,
    ]);
    expect(inserts[0]?.body).toMatchObject({
      id: first.eventId,
      summary: 'Drain cleaning — Dana W.',
      description: 'Booked by SMS',
      start: { dateTime: '2030-03-06T15:00:00.000Z' },
      end: { dateTime: '2030-03-06T16:00:00.000Z' },
      extendedProperties: { private: { leadflowAppointmentId: appointmentId } },
    });
    const busy = await cal.freeBusy({
      calendarId: CAL,
      from: at('2030-03-06T00:00:00Z'),
      to: at('2030-03-07T00:00:00Z'),
    });
    expect(busy).toEqual([{ start: input.start, end: input.end }]);
  });

  it('a create retried after the event was deleted brings the same event back', async () => {
    const appointmentId = 'c3c3c3c3-0000-4000-8000-000000000003';
    const input = {
      calendarId: CAL,
      start: at('2030-03-11T15:00:00Z'),
      end: at('2030-03-11T16:00:00Z'),
      summary: 'Back again',
      appointmentId,
    };
    const { eventId } = await cal.createEvent(input);
    await cal.deleteEvent({ calendarId: CAL, eventId });
    expect(
      await cal.createEvent({ ...input, start: at('2030-03-12T15:00:00Z'), end: at('2030-03-12T16:00:00Z') }),
    ).toEqual({ eventId });

    const stored = fake.events.get(`${CAL}/${eventId}`);
    expect(stored).toMatchObject({
      status: 'confirmed',
      start: { dateTime: '2030-03-12T15:00:00.000Z' },
      extendedProperties: { private: { leadflowAppointmentId: appointmentId } },
    });
    expect(
      fake.liveEvents(CAL).filter((e) => e.extendedProperties?.private?.leadflowAppointmentId === appointmentId),
    ).toHaveLength(1);
  });

  it('derives valid Google ids from any appointment id', () => {
    expect(eventIdFor('3F2B8C1E-9A4D-4E7F-8B6A-1C2D3E4F5A6B')).toBe('lf3f2b8c1e9a4d4e7f8b6a1c2d3e4f5a6b');
    expect(eventIdFor('appt_42')).toMatch(/^[a-v0-9]{5,1024}$/);
    expect(eventIdFor('appt_42')).toBe(eventIdFor('appt_42'));
  });

  it('moves an event', async () => {
    const { eventId } = await cal.createEvent({
      calendarId: CAL,
      start: at('2030-03-07T15:00:00Z'),
      end: at('2030-03-07T16:00:00Z'),
      summary: 'Move me',
      appointmentId: 'a1a1a1a1-0000-4000-8000-000000000001',
    });
    await cal.moveEvent({
      calendarId: CAL,
      eventId,
      start: at('2030-03-08T17:00:00Z'),
      end: at('2030-03-08T18:00:00Z'),
    });
    const stored = fake.events.get(`${CAL}/${eventId}`);
    expect(stored?.start.dateTime).toBe('2030-03-08T17:00:00.000Z');
    expect(stored?.end.dateTime).toBe('2030-03-08T18:00:00.000Z');
    expect(stored?.summary).toBe('Move me');
    expect(fake.requests.at(-1)?.method).toBe('PATCH');
  });

  it('deletes an event, and treats deleted (410) or unknown (404) events as already gone', async () => {
    const { eventId } = await cal.createEvent({
      calendarId: CAL,
      start: at('2030-03-10T15:00:00Z'),
      end: at('2030-03-10T16:00:00Z'),
      summary: 'Delete me',
      appointmentId: 'b2b2b2b2-0000-4000-8000-000000000002',
    });
    await cal.deleteEvent({ calendarId: CAL, eventId });
    expect(fake.events.get(`${CAL}/${eventId}`)?.status).toBe('cancelled');
    await expect(cal.deleteEvent({ calendarId: CAL, eventId })).resolves.toBeUndefined();
    await expect(cal.deleteEvent({ calendarId: CAL, eventId: 'lfunknown00' })).resolves.toBeUndefined();
    expect(fake.requests.filter((r) => r.method === 'DELETE')).toHaveLength(3);
  });

  it('moving an event that was deleted from the calendar shows it again', async () => {
    const { eventId } = await cal.createEvent({
      calendarId: CAL,
      start: at('2030-03-13T15:00:00Z'),
      end: at('2030-03-13T16:00:00Z'),
      summary: 'Owner deleted me',
      appointmentId: 'd4d4d4d4-0000-4000-8000-000000000004',
    });
    await cal.deleteEvent({ calendarId: CAL, eventId });
    await cal.moveEvent({
      calendarId: CAL,
      eventId,
      start: at('2030-03-14T15:00:00Z'),
      end: at('2030-03-14T16:00:00Z'),
    });
    expect(fake.events.get(`${CAL}/${eventId}`)).toMatchObject({
      status: 'confirmed',
      start: { dateTime: '2030-03-14T15:00:00.000Z' },
    });
  });

  it('reuses the access token until it nears expiry', async () => {
    const fresh = await startGoogleFake({ refreshToken: REFRESH });
    try {
      const provider = createGoogleCalendarProvider({
        clientId: 'c',
        clientSecret: 's',
        refreshToken: REFRESH,
        apiBaseUrl: fresh.url,
      });
      await provider.freeBusy({ calendarId: CAL, from: at('2030-03-04T13:00:00Z'), to: at('2030-03-04T22:00:00Z') });
      await provider.createEvent({
        calendarId: CAL,
        start: at('2030-03-04T15:00:00Z'),
        end: at('2030-03-04T16:00:00Z'),
        summary: 'x',
        appointmentId: 'e5e5e5e5-0000-4000-8000-000000000005',
      });
      expect(fresh.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        'POST /token',
        'POST /calendar/v3/freeBusy',
        `POST /calendar/v3/calendars/${encodeURIComponent(CAL)}/events`,
      ]);
    } finally {
      await fresh.close();
    }
  });

  it('leaves retries to the caller: a 503 is rethrown after one request', async () => {
    await cal.freeBusy({ calendarId: CAL, from: at('2030-03-04T13:00:00Z'), to: at('2030-03-04T14:00:00Z') });
    fake.requests.length = 0;
    fake.failNext(1, { status: 503 });
    await expect(
      cal.freeBusy({ calendarId: CAL, from: at('2030-03-04T13:00:00Z'), to: at('2030-03-04T22:00:00Z') }),
    ).rejects.toMatchObject({ status: 503 });
    expect(fake.requests).toHaveLength(1);
  });

  it('rethrows other failures', async () => {
    await expect(
      cal.moveEvent({
        calendarId: CAL,
        eventId: 'lfmissing00',
        start: at('2030-03-08T17:00:00Z'),
        end: at('2030-03-08T18:00:00Z'),
      }),
    ).rejects.toMatchObject({ status: 404 });
  });
});
