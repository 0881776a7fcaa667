import type { calendar_v3 } from '@googleapis/calendar';
import { asGoogleFailure } from './google-failure';
import { googleCalendarApi } from './google-calendar-api';
import { requireGoogleConnection } from './google-connection';
import type { GoogleServiceDeps } from './google-service-deps';

export interface GoogleCalendarView {
  id: string;
  summary: string;
  primary: boolean;
  accessRole: string;
  timeZone: string | null;
  /** Booking adds events: only calendars the account may write to can be picked. */
  bookable: boolean;
}

/** Calendars of one account are few; this bounds the walk should Google keep paging. */
const MAX_PAGES = 10;

const toView = (c: calendar_v3.Schema$CalendarListEntry): GoogleCalendarView => ({
  id: c.id ?? '',
  summary: c.summaryOverride ?? c.summary ?? c.id ?? '',
  primary: c.primary === true,
  accessRole: c.accessRole ?? 'none',
  timeZone: c.timeZone ?? null,
  bookable: c.accessRole === 'owner' || c.accessRole === 'writer',
});

/** The connected account's calendars (calendarList.list), the primary one first. */
export async function listGoogleCalendars(
  deps: GoogleServiceDeps,
  input: { businessId: string },
): Promise<GoogleCalendarView[]> {
  const { google, refreshToken } = await requireGoogleConnection(deps, input.businessId);
  const api = googleCalendarApi(google, refreshToken);
  const calendars: GoogleCalendarView[] = [];
  let pageToken: string | undefined;
  try {
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const { data } = await api.calendarList.list({ maxResults: 250, ...(pageToken ? { pageToken } : {}) });
      calendars.push(...(data.items ?? []).filter((c) => c.id && !c.deleted).map(toView));
      pageToken = data.nextPageToken ?? undefined;
      if (!pageToken) break;
    }
  } catch (err) {
    throw asGoogleFailure(err);
  }
  return calendars.sort((a, b) => Number(b.primary) - Number(a.primary));
}
