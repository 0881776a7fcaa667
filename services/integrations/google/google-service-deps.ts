import type { Db } from '../../../db/prisma';
import type { Keyring } from '../../../domain/crypto/keyring';
import { AppError } from '../../app-error';
import type { GoogleOAuthSettings } from './google-settings';

export interface GoogleServiceDeps {
  db: Db;
  /** From ENCRYPTION_KEY: seals the refresh token (its master box, as the worker opens it) and the PKCE verifier. */
  keyring: Keyring | null;
  /** Null when GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET are not both set. */
  google: GoogleOAuthSettings | null;
  now: () => Date;
}

/**
 * The parts a Google call needs. A server without them cannot connect anyone: a 409 (the
 * server's state, not an outage; retrying will not help until its operator configures it).
 */
export function requireGoogle(deps: GoogleServiceDeps): { google: GoogleOAuthSettings; keyring: Keyring } {
  if (!deps.google)
    throw new AppError(
      'conflict',
      'Google Calendar is not configured on this server (GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET)',
    );
  if (!deps.keyring)
    throw new AppError(
      'conflict',
      'Google Calendar needs ENCRYPTION_KEY on this server: its refresh token is stored sealed',
    );
  return { google: deps.google, keyring: deps.keyring };
}
