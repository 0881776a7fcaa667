import { auth, calendar } from '@googleapis/calendar';
import type { CalendarProvider, Interval } from './calendar-provider';

export interface GoogleCalendarOptions {
  clientId: string;
  clientSecret: string;
  /** The business's own refresh token, from connecting its calendar. */
  refreshToken: string;
  /** Another server speaking Google's token and Calendar APIs (tests); unset means Google. */
  apiBaseUrl?: string;
}

/**
 * Google accepts client-chosen event ids of base32hex characters (a–v, 0–9), 5–1024 long.
 * Deriving the id from our appointment id makes a retried create collide instead of duplicating.
 */
export function eventIdFor(appointmentId: string): string {
  const compact = appointmentId.toLowerCase().replace(/-/g, '');
  return `lf${/^[0-9a-f]+$/.test(compact) ? compact : Buffer.from(appointmentId, 'utf8').toString('hex')}`;
}

const statusOf = (err: unknown): number | undefined => {
  const e = err as { status?: unknown; response?: { status?: unknown } } | null;
  const status = e?.status ?? e?.response?.status;
  return typeof status === 'number' ? status : undefined;
};

export function createGoogleCalendarProvider(options: GoogleCalendarOptions): CalendarProvider {
  const base = options.apiBaseUrl?.replace(/\/+$/, '');
  const oauth = new auth.OAuth2({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    ...(base ? { endpoints: { oauth2TokenUrl: `${base}/token` } } : {}),
  });
  oauth.setCredentials({ refresh_token: options.refreshToken });
  // No client-side retries: the activity's retry policy decides, and sees every failure.
  const api = calendar({ version: 'v3', auth: oauth, retry: false, ...(base ? { rootUrl: `${base}/` } : {}) });

  return {
    name: 'google',
    async freeBusy({ calendarId, from, to }) {
      const { data } = await api.freebusy.query({
        requestBody: { timeMin: from.toISOString(), timeMax: to.toISOString(), items: [{ id: calendarId }] },
      });
      const entry = data.calendars?.[calendarId];
      if (!entry) throw new Error(`free/busy answer has no entry for calendar ${calendarId}`);
      if (entry.errors && entry.errors.length > 0)
        throw new Error(`free/busy failed for calendar ${calendarId}: ${entry.errors.map((e) => e.reason).join(', ')}`);
      return (entry.busy ?? []).flatMap((b): Interval[] =>
        b.start && b.end ? [{ start: new Date(b.start), end: new Date(b.end) }] : [],
      );
    },
    async createEvent({ calendarId, start, end, summary, description, appointmentId }) {
      const id = eventIdFor(appointmentId);
      const event = {
        summary,
        ...(description ? { description } : {}),
        start: { dateTime: start.toISOString() },
        end: { dateTime: end.toISOString() },
        extendedProperties: { private: { leadflowAppointmentId: appointmentId } },
      };
      try {
        const { data } = await api.events.insert({ calendarId, requestBody: { id, ...event } });
        return { eventId: data.id ?? id };
      } catch (err) {
        if (statusOf(err) !== 409) throw err;
        // The id is derived from the appointment, so the clash is this appointment's own event from
        // an earlier attempt. Google keeps deleted events (status cancelled) and their ids, so the
        // patch also brings one back.
        await api.events.patch({ calendarId, eventId: id, requestBody: { ...event, status: 'confirmed' } });
        return { eventId: id };
      }
    },
    async moveEvent({ calendarId, eventId, start, end }) {
      await api.events.patch({
        calendarId,
        eventId,
        // A booked appointment is shown even if its event was deleted from the calendar meanwhile.
        requestBody: {
          start: { dateTime: start.toISOString() },
          end: { dateTime: end.toISOString() },
          status: 'confirmed',
        },
      });
    },
    async deleteEvent({ calendarId, eventId }) {
      try {
        await api.events.delete({ calendarId, eventId });
      } catch (err) {
        const status = statusOf(err);
        if (status === 404 || status === 410) return;
        throw err;
      }
    },
  };
}
