import { calendar, type calendar_v3 } from '@googleapis/calendar';
import { googleOAuthClient, type GoogleOAuthSettings } from './google-settings';

/** The Calendar API as the connected account, from its refresh token (pointed at apiBaseUrl when set). */
export function googleCalendarApi(settings: GoogleOAuthSettings, refreshToken: string): calendar_v3.Calendar {
  const oauth = googleOAuthClient(settings);
  oauth.setCredentials({ refresh_token: refreshToken });
  const base = settings.apiBaseUrl?.replace(/\/+$/, '');
  // No client-side retries: the owner is waiting on the answer; a failure says retry.
  return calendar({ version: 'v3', auth: oauth, retry: false, ...(base ? { rootUrl: `${base}/` } : {}) });
}
