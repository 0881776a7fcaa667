import { AppError } from '../app-error';
import type { GoogleServiceDeps } from '../integrations/google/google-service-deps';
import { listGoogleCalendars } from '../integrations/google/list-google-calendars';
import type { GoogleCalendarCheck } from './save-technician';

/** A technician's calendar must be one of the connected account's that booking may write to. */
export const googleCalendarCheck =
  (deps: GoogleServiceDeps): GoogleCalendarCheck =>
  async (businessId, calendarId) => {
    const picked = (await listGoogleCalendars(deps, { businessId })).find((c) => c.id === calendarId);
    const reason = !picked
      ? 'is not a calendar of the connected Google account'
      : !picked.bookable
        ? 'is read-only for the connected account; booking adds events'
        : null;
    if (reason)
      throw new AppError('bad_request', `googleCalendarId: ${reason}`, [{ field: 'googleCalendarId', reason }]);
  };
