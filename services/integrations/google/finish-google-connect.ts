import { storeBusinessSecret } from '../../../db/business-secrets';
import { AppError } from '../../app-error';
import { linkTokenHash } from '../../people/tokens';
import { googleStatusOf, oauthErrorOf } from './google-failure';
import type { GoogleServiceDeps } from './google-service-deps';
import { requireGoogle } from './google-service-deps';
import { GOOGLE_CALENDAR_SCOPE, googleOAuthClient } from './google-settings';
import { verifierBox, verifierContext } from './oauth-state';
import { takeOAuthState, type TakenOAuthState } from './take-oauth-state';

export type GoogleConnectOutcome =
  | { outcome: 'connected'; businessId: string }
  /** Google answered the consent page with an error (the owner declined: access_denied). */
  | { outcome: 'denied'; businessId: string }
  /** The code did not turn into a refresh token with calendar access. */
  | { outcome: 'failed'; businessId: string; reason: 'exchange_refused' | 'no_refresh_token' | 'scope_not_granted' };

const badState = () =>
  new AppError('bad_request', 'state: unknown, already used or expired; start connecting Google Calendar again', [
    { field: 'state', reason: 'unknown, already used or expired' },
  ]);

/** Trades the state (once) for its business; refuses an unknown, used or expired one. */
async function takeState(deps: GoogleServiceDeps, state: string): Promise<TakenOAuthState> {
  const taken = await takeOAuthState(deps.db, linkTokenHash(state));
  if (!taken || taken.expiresAt.getTime() <= deps.now().getTime()) throw badState();
  return taken;
}

/**
 * Google's redirect after the consent page. The state authenticates it: it names the business
 * and unseals the PKCE verifier, which the code exchange must present. The refresh token is
 * stored sealed under the business (db/business-secrets); the booking calendar starts as the
 * account's primary one until the owner picks another.
 */
export async function finishGoogleConnect(
  deps: GoogleServiceDeps,
  input: { state: string; code?: string; error?: string },
): Promise<GoogleConnectOutcome> {
  const taken = await takeState(deps, input.state);
  const businessId = taken.businessId;
  if (input.error || !input.code) return { outcome: 'denied', businessId };
  const { google, keyring } = requireGoogle(deps);

  let verifier: string;
  try {
    verifier = verifierBox(keyring)
      .open({ keyId: taken.keyId, ciphertext: taken.verifierCiphertext }, verifierContext(linkTokenHash(input.state)))
      .toString('utf8');
  } catch {
    // Sealed under a key this server no longer has: as good as expired.
    throw badState();
  }
  const client = googleOAuthClient(google, taken.redirectUri);
  let tokens: { refresh_token?: string | null; scope?: string | null };
  try {
    ({ tokens } = await client.getToken({ code: input.code, codeVerifier: verifier, redirect_uri: taken.redirectUri }));
  } catch (err) {
    const status = googleStatusOf(err);
    // Google refusing the code (invalid_grant: reused, expired, wrong verifier) is final; anything else may pass.
    if (status !== undefined && status >= 400 && status < 500)
      return { outcome: 'failed', businessId, reason: 'exchange_refused' };
    throw new AppError(
      'unavailable',
      `Google’s token endpoint is unavailable (${oauthErrorOf(err) ?? status ?? 'no answer'}); retry shortly`,
      null,
      30,
    );
  }
  if (!tokens.refresh_token) return { outcome: 'failed', businessId, reason: 'no_refresh_token' };
  // Google's consent page lets the owner untick the calendar: a token without it cannot book.
  if (!(tokens.scope ?? '').split(' ').includes(GOOGLE_CALENDAR_SCOPE)) {
    await client.revokeToken(tokens.refresh_token).catch(() => undefined);
    return { outcome: 'failed', businessId, reason: 'scope_not_granted' };
  }
  await storeBusinessSecret(deps.db, keyring.box, {
    businessId,
    kind: 'google_calendar',
    secret: tokens.refresh_token,
    settings: { calendarId: 'primary', connectedAt: deps.now().toISOString() },
  });
  return { outcome: 'connected', businessId };
}
