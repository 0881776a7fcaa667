import type { Request } from 'express';
import { z } from 'zod';
import { chooseGoogleCalendar } from '../../services/integrations/google/choose-google-calendar';
import { disconnectGoogle } from '../../services/integrations/google/disconnect-google';
import {
  finishGoogleConnect,
  type GoogleConnectOutcome,
} from '../../services/integrations/google/finish-google-connect';
import { getGoogleConnection } from '../../services/integrations/google/google-connection';
import type { GoogleServiceDeps } from '../../services/integrations/google/google-service-deps';
import { listGoogleCalendars } from '../../services/integrations/google/list-google-calendars';
import { startGoogleConnect } from '../../services/integrations/google/start-google-connect';
import { actorOf } from '../audit';
import type { ApiDeps } from '../deps';
import { clientAddress } from '../http/client-address';
import { defineRoute } from '../http/route';
import { ZErrorSchema } from '../http/schemas';
import {
  ZChooseGoogleCalendarSchema,
  ZGoogleCalendarSchema,
  ZGoogleCallbackQuerySchema,
  ZGoogleConnectionSchema,
  ZGoogleConnectUrlSchema,
} from './integrations-google-schemas';

const TAG = 'Integrations';
const CALLBACK_PATH = '/v1/integrations/google/callback';
const NOT_CONFIGURED = {
  description: 'This server has no Google OAuth client (GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET) or no ENCRYPTION_KEY',
  schema: ZErrorSchema,
};
const NOT_CONNECTED = {
  description:
    'Google Calendar is not connected, Google no longer accepts the connection (connect again), or the server has no Google OAuth client',
  schema: ZErrorSchema,
};

const MESSAGES: Record<Exclude<GoogleConnectOutcome['outcome'], 'connected'>, string> = {
  denied: 'Google Calendar was not connected: access was not allowed on Google’s consent page.',
  failed: 'Google Calendar was not connected: Google did not grant calendar access. Try connecting again.',
};

/** Where the owner's browser lands after Google: the app's settings, saying what happened. */
function appLocation(result: GoogleConnectOutcome): string {
  const query = new URLSearchParams({ google: result.outcome });
  if (result.outcome === 'failed') query.set('reason', result.reason);
  if (result.outcome !== 'connected') query.set('message', MESSAGES[result.outcome]);
  return `/app/settings?${query}`;
}

/** Google sends the browser back here; it must be registered at Google exactly as built. */
const redirectUriFor = (deps: ApiDeps, req: Request) =>
  `${(deps.settings.publicBaseUrl ?? `${req.protocol}://${req.get('host')}`).replace(/\/+$/, '')}${CALLBACK_PATH}`;

/** The business's Google Calendar connection: OAuth consent (state + PKCE), calendar picker, disconnect. */
export function googleIntegrationRoutes(deps: ApiDeps) {
  const service: GoogleServiceDeps = {
    db: deps.db,
    keyring: deps.privacyKeys?.keyring ?? null,
    google: deps.settings.google ?? null,
    now: deps.now,
  };
  return [
    defineRoute({
      method: 'post',
      path: '/v1/integrations/google/connect',
      tag: TAG,
      summary: 'Start connecting Google Calendar: Google’s consent URL for the owner’s browser',
      description:
        'Roles: owner. The URL carries a single-use state (valid 10 minutes) and a PKCE S256 challenge; Google then redirects the browser to /v1/integrations/google/callback.',
      security: 'apiKey',
      roles: ['owner'],
      responses: { 200: { description: 'The consent URL', schema: ZGoogleConnectUrlSchema }, 409: NOT_CONFIGURED },
      handler: async ({ auth, req }) => {
        const started = await startGoogleConnect(service, {
          actor: actorOf(auth, clientAddress(req)),
          redirectUri: redirectUriFor(deps, req),
        });
        return { status: 200, body: { url: started.url, expiresAt: started.expiresAt.toISOString() } };
      },
    }),
    defineRoute({
      method: 'get',
      path: CALLBACK_PATH,
      tag: TAG,
      summary: 'Google’s redirect after the consent page (the state authenticates it)',
      description:
        'No API key: the browser arrives from Google. Exchanges the code with the PKCE verifier, stores the refresh token sealed and redirects to /app/settings?google=connected (or google=denied / google=failed with a message). An unknown, used or expired state is a 400.',
      security: 'none',
      query: ZGoogleCallbackQuerySchema,
      responses: { 303: { description: 'Back to the app’s settings' }, 409: NOT_CONFIGURED },
      handler: async ({ query }) => {
        const result = await finishGoogleConnect(service, query);
        return { status: 303, headers: { Location: appLocation(result) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/integrations/google',
      tag: TAG,
      summary: 'Whether Google Calendar is connected, and the calendar booking uses',
      security: 'apiKey',
      roles: ['owner', 'operator'],
      responses: { 200: { description: 'The connection (never its token)', schema: ZGoogleConnectionSchema } },
      handler: async ({ auth }) => ({
        status: 200,
        body: { configured: service.google !== null, ...(await getGoogleConnection(service, auth)) },
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/integrations/google/calendars',
      tag: TAG,
      summary: 'The connected Google account’s calendars, to pick the one booking uses',
      description:
        'Roles: owner. 409 when Google Calendar is not connected, or Google no longer accepts the connection.',
      security: 'apiKey',
      roles: ['owner'],
      responses: {
        200: {
          description: 'Calendars, the primary first',
          schema: z.object({ data: z.array(ZGoogleCalendarSchema) }),
        },
        409: NOT_CONNECTED,
      },
      handler: async ({ auth }) => ({ status: 200, body: { data: await listGoogleCalendars(service, auth) } }),
    }),
    defineRoute({
      method: 'put',
      path: '/v1/integrations/google/calendar',
      tag: TAG,
      summary: 'Pick the calendar booking reads free/busy from and adds events to',
      description:
        'Roles: owner. One calendar per business; when technicians have calendars of their own, each person’s pick comes first. The calendar must be one the account may write to.',
      security: 'apiKey',
      roles: ['owner'],
      body: ZChooseGoogleCalendarSchema,
      responses: {
        200: { description: 'The connection with its calendar', schema: ZGoogleConnectionSchema },
        409: NOT_CONNECTED,
      },
      handler: async ({ auth, body, req }) => {
        const view = await chooseGoogleCalendar(service, {
          actor: actorOf(auth, clientAddress(req)),
          calendarId: body.calendarId,
        });
        return { status: 200, body: { configured: true, ...view } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/integrations/google',
      tag: TAG,
      summary: 'Disconnect Google Calendar: revoke the token at Google, then delete it',
      description:
        'Roles: owner. Booking falls back to the built-in calendar. 503 when Google cannot confirm the revocation (the connection stays; retry).',
      security: 'apiKey',
      roles: ['owner'],
      responses: { 204: { description: 'Disconnected (also when nothing was connected)' }, 409: NOT_CONFIGURED },
      handler: async ({ auth, req }) => {
        await disconnectGoogle(service, { actor: actorOf(auth, clientAddress(req)) });
        return { status: 204 };
      },
    }),
  ];
}
