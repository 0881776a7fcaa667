import { OAuth2Client } from 'google-auth-library';

/** leadflow's OAuth client at Google, and where its endpoints are (another server in tests). */
export interface GoogleOAuthSettings {
  clientId: string;
  clientSecret: string;
  /** A server speaking Google's token, revoke and Calendar APIs (GOOGLE_API_BASE_URL); unset: Google. */
  apiBaseUrl?: string;
  /** Where browsers go for the consent page (GOOGLE_OAUTH_BASE_URL); unset: apiBaseUrl's server, else Google. */
  oauthBaseUrl?: string;
}

/** Read and write the business's calendars and events: booking creates, moves and deletes events. */
export const GOOGLE_CALENDAR_SCOPE = 'https://www.googleapis.com/auth/calendar';

const trimmed = (url: string | undefined) => url?.replace(/\/+$/, '');

/** From the configuration; null unless both client credentials are set. */
export function googleOAuthSettingsFrom(config: {
  GOOGLE_CLIENT_ID?: string;
  GOOGLE_CLIENT_SECRET?: string;
  GOOGLE_API_BASE_URL?: string;
  GOOGLE_OAUTH_BASE_URL?: string;
}): GoogleOAuthSettings | null {
  if (!config.GOOGLE_CLIENT_ID || !config.GOOGLE_CLIENT_SECRET) return null;
  return {
    clientId: config.GOOGLE_CLIENT_ID,
    clientSecret: config.GOOGLE_CLIENT_SECRET,
    apiBaseUrl: config.GOOGLE_API_BASE_URL,
    oauthBaseUrl: config.GOOGLE_OAUTH_BASE_URL,
  };
}

/**
 * google-auth-library's client with the endpoints moved when a base URL is configured. The
 * paths are Google's own (token and revoke at oauth2.googleapis.com, consent at accounts.google.com),
 * so a server that speaks Google's wire format answers them unchanged.
 */
export function googleOAuthClient(settings: GoogleOAuthSettings, redirectUri?: string): OAuth2Client {
  const api = trimmed(settings.apiBaseUrl);
  const consent = trimmed(settings.oauthBaseUrl) ?? api;
  return new OAuth2Client({
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    ...(redirectUri ? { redirectUri } : {}),
    endpoints: {
      ...(api ? { oauth2TokenUrl: `${api}/token`, oauth2RevokeUrl: `${api}/revoke` } : {}),
      ...(consent ? { oauth2AuthBaseUrl: `${consent}/o/oauth2/v2/auth` } : {}),
    },
  });
}
