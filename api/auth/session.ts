import session from 'express-session';
import type { Request, RequestHandler } from 'express';
import { csrfTokenOf } from './csrf';
import type { Db } from '../../db/prisma';
import { AppError } from '../http/errors';
import { PostgresSessionStore, SESSION_IDLE_MS } from './session-store';

export const SESSION_COOKIE = 'leadflow_session';

/** Paths under /v1 that sign a browser in. */
const STARTS_SESSION = new Set(['/auth/sign-in', '/auth/invitations/accept']);

/**
 * Sessions for people signed in to the app (express-session). The cookie: HttpOnly,
 * SameSite=Lax, Path=/, Secure whenever the request came over https (behind TRUST_PROXY),
 * rolling 12-hour idle expiry; the store enforces the 7-day absolute limit.
 *
 * express-session signs the cookie's id with `secret`. The id is 192 random bits and counts
 * only if its hash is a live row in Postgres, so the signature adds no security of its own;
 * replicas must share the secret, hence one derived from configuration rather than a random
 * one per process.
 */
export function sessionMiddleware(opts: { db: Db; now: () => Date; secret?: string }): RequestHandler {
  const handler = session({
    name: SESSION_COOKIE,
    secret: opts.secret ?? 'leadflow-session-id-signature',
    store: new PostgresSessionStore(opts.db, opts.now),
    resave: false,
    saveUninitialized: false,
    rolling: true,
    unset: 'destroy',
    cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', path: '/', maxAge: SESSION_IDLE_MS },
  });
  // Without the cookie only the routes that sign someone in need a session: every other request
  // (captures, key calls) skips express-session, which would otherwise mint an unused id each time.
  return (req, res, next) => {
    if (!STARTS_SESSION.has(req.path) && !(req.get('cookie') ?? '').includes(`${SESSION_COOKIE}=`)) return next();
    handler(req, res, (err?: unknown) => {
      if (err) return next(new AppError('unavailable', 'sessions are unavailable; retry shortly', null, 5));
      next();
    });
  };
}

/**
 * Signs the request's browser in: a new session id (never the one the browser came with, so
 * a planted cookie cannot be adopted), saved before the answer goes out. Returns its CSRF token.
 */
export async function startSession(req: Request, who: { userId: string; businessId: string; role: string }) {
  await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
  req.session.userId = who.userId;
  req.session.businessId = who.businessId;
  req.session.role = who.role;
  req.session.userAgent = req.get('user-agent') ?? '';
  const csrfToken = csrfTokenOf(req);
  await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
  return csrfToken;
}

/** Ends the request's session (its row goes) and tells the browser to drop the cookie. */
export async function endSession(req: Request) {
  await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
}
