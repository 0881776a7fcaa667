import type { Request, RequestHandler } from 'express';
import type { ApiKeyRole } from './api-keys';
import { codecSessionKey, presentedKey, type AuthContext } from './authenticate';
import { csrfTokenValid, SAFE_METHODS } from './csrf';
import { SESSION_COOKIE } from './session';
import { AppError } from '../http/errors';

const PERSON_ROLES = new Set<string>(['owner', 'operator', 'compliance']);

const ended = () => new AppError('unauthorized', 'the session has ended; sign in again');

/** The signed-in person behind the session cookie, or the reason to refuse (no session, CSRF). */
function sessionAuth(req: Request): AuthContext | AppError {
  const session = req.session;
  if (!session?.userId) {
    const hadCookie = (req.get('cookie') ?? '').includes(`${SESSION_COOKIE}=`);
    return hadCookie ? ended() : new AppError('unauthorized', 'sign in first (the leadflow_session cookie)');
  }
  if (!session.businessId || !session.role || !PERSON_ROLES.has(session.role)) return ended();
  if (!SAFE_METHODS.has(req.method) && !csrfTokenValid(req))
    return new AppError('csrf_failed', 'send the X-CSRF-Token header from the sign-in or session answer');
  return {
    keyId: session.userId,
    userId: session.userId,
    businessId: session.businessId,
    role: session.role as ApiKeyRole,
    via: 'session',
  };
}

/**
 * The `apiKey` security of every /v1 route: an API key (unchanged: the key guard decides), or
 * else a signed-in person's session cookie, with the same role rules. A cookie-authenticated
 * change must carry the session's CSRF token; a request with a key carries no ambient
 * credential and needs none.
 */
export function keyOrSession(keyGuard: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const withKey = presentedKey(req) || codecSessionKey(req);
    if (withKey || (!req.session?.userId && !(req.get('cookie') ?? '').includes(`${SESSION_COOKIE}=`)))
      return keyGuard(req, res, next);
    const auth = sessionAuth(req);
    if (auth instanceof AppError) return next(auth);
    req.auth = auth;
    next();
  };
}

/** The `session` security: routes about the signed-in person themselves (their sessions, sign-out, TOTP). */
export const sessionOnly: RequestHandler = (req, _res, next) => {
  const auth = sessionAuth(req);
  if (auth instanceof AppError) return next(auth);
  req.auth = auth;
  next();
};
