import type { CalendarResolver } from '../../../activities/booking/booking-activities';
import { loadBusinessSecret } from '../../../db/business-secrets';
import { createGoogleCalendarProvider } from '../../../providers/calendar/google';
import type { GoogleServiceDeps } from './google-service-deps';

/**
 * The business's connected Google calendar for booking (the worker) and for handing a removed
 * person's appointments over (the API); null without Google configured or connected.
 */
export function googleCalendarResolver(deps: Pick<GoogleServiceDeps, 'db' | 'keyring' | 'google'>): CalendarResolver {
  return async (businessId) => {
    const { keyring, google } = deps;
    if (!keyring || !google) return null;
    // Tokens sealed under a previous key still open after a rotation.
    const stored = await loadBusinessSecret(deps.db, keyring.box, { businessId, kind: 'google_calendar' });
    if (!stored) return null;
    return {
      provider: createGoogleCalendarProvider({
        clientId: google.clientId,
        clientSecret: google.clientSecret,
        refreshToken: stored.secret,
        apiBaseUrl: google.apiBaseUrl,
      }),
      calendarId: stored.settings.calendarId ?? 'primary',
    };
  };
}
