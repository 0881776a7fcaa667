import type { Request } from 'express';
import { csrfSync } from 'csrf-sync';

/**
 * The synchroniser token pattern (csrf-sync): a random token kept in the session, handed to
 * the app in the sign-in and session answers, and required as X-CSRF-Token on every
 * cookie-authenticated change. A request with an API key carries no ambient credential and
 * needs none.
 */
const csrf = csrfSync({
  getTokenFromRequest: (req) => req.get('x-csrf-token') ?? undefined,
});

/** The session's token, made at the first call. */
export const csrfTokenOf = (req: Request): string => csrf.generateToken(req, false);

export const csrfTokenValid = (req: Request): boolean => csrf.isRequestValid(req);

export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
