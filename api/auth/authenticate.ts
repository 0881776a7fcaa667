import type { Request, RequestHandler } from 'express';
import type { Db } from '../../db/prisma';
import { findApiKeyByLookup } from '../../db/tenant';
import { findCodecSession } from '../../codec/codec-sessions';
import { clientAddress } from '../http/client-address';
import { AppError } from '../http/errors';
import { hashApiKey, hashesEqual, parseApiKey, type ApiKeyRole } from './api-keys';
import type { KeyCache } from './key-cache';
import { AUTH_THROTTLE, lockedFor, MemoryThrottle, recordAuthFailure, type ThrottleOptions } from './throttle';

export interface AuthContext {
  /** The API key; for a signed-in person, their user id (audit rows then name the person, not a key). */
  keyId: string;
  businessId: string;
  role: ApiKeyRole;
  /** Set when a signed-in person (session cookie) makes the request. */
  userId?: string;
  via: 'key' | 'session';
}

declare module 'express-serve-static-core' {
  interface Request {
    auth?: AuthContext;
  }
}

/**
 * The Temporal Web UI cannot send our Authorization header to the codec endpoint; with
 * "Include cross-origin credentials" it sends cookies. POST /v1/codec/session sets this
 * one (HttpOnly, SameSite=Strict, Path=/v1/codec) to a session token (codec/codec-sessions.ts),
 * never the API key, and it counts nowhere else.
 */
export const CODEC_SESSION_COOKIE = 'leadflow_codec_session';

export function codecSessionKey(req: Request): string | undefined {
  if (!req.originalUrl.startsWith('/v1/codec/')) return undefined;
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === CODEC_SESSION_COOKIE && value.length > 0)
      return decodeURIComponent(value.join('=')).trim() || undefined;
  }
  return undefined;
}

export function presentedKey(req: Request): string | undefined {
  const header = req.get('authorization');
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  return req.get('x-api-key')?.trim();
}

const lockedOut = (seconds: number) =>
  new AppError('rate_limited', 'too many failed attempts from this address; try again later', null, seconds);

const unavailable = () => new AppError('unavailable', 'authentication is unavailable; retry shortly', null, 5);

/**
 * Resolves the API key to its business and role. Every bad key looks the same to the
 * caller and the comparison is constant-time. Failures are counted per client address,
 * and an address with too many is locked out — for keys that are not valid only: a valid
 * key is never refused because someone else behind the same address guessed wrong.
 */
export function authenticate({
  db,
  cache,
  now = () => new Date(),
  throttle = AUTH_THROTTLE,
}: {
  db: Db;
  cache: KeyCache;
  now?: () => Date;
  throttle?: ThrottleOptions;
}): RequestHandler {
  const fallback = new MemoryThrottle();
  return async (req, _res, next) => {
    const key = presentedKey(req);
    const sessionToken = key ? undefined : codecSessionKey(req);
    if (sessionToken) {
      // Not cached: signing out or revoking the key ends the session at once.
      const session = await findCodecSession(db, sessionToken, now()).catch(() => undefined);
      if (session === undefined) return next(unavailable());
      if (!session) return next(new AppError('unauthorized', 'the codec session has ended; sign in again'));
      req.auth = {
        keyId: session.keyId,
        businessId: session.businessId,
        role: session.role as ApiKeyRole,
        via: 'key',
      };
      return next();
    }
    if (!key) return next(new AppError('unauthorized', 'an API key is required (Authorization: Bearer <key>)'));
    const presentedHash = hashApiKey(key);
    // A known key needs no query at all: the hot path of every capture.
    const cached = cache.get(presentedHash, now().getTime());
    if (cached) {
      req.auth = cached;
      return next();
    }
    let row: Awaited<ReturnType<typeof findApiKeyByLookup>>;
    try {
      const parsed = parseApiKey(key);
      row = parsed ? await findApiKeyByLookup(db, parsed.lookup) : null;
    } catch {
      return next(unavailable());
    }
    if (!row || row.revoked_at || !hashesEqual(row.hash, presentedHash)) {
      const address = clientAddress(req);
      let locked: number | null;
      try {
        locked = await lockedFor(db, address, now());
      } catch {
        return next(unavailable());
      }
      locked ??= fallback.lockedFor(address, now());
      if (locked) return next(lockedOut(locked));
      // A failure Postgres cannot record is counted here: the lockout must not fail open.
      const lockedNow = await recordAuthFailure(db, address, now(), throttle).catch(() =>
        fallback.recordFailure(address, now(), throttle),
      );
      return next(lockedNow ? lockedOut(lockedNow) : new AppError('unauthorized', 'the API key is not valid'));
    }
    req.auth = { keyId: row.id, businessId: row.business_id, role: row.role as ApiKeyRole, via: 'key' };
    cache.set(presentedHash, req.auth, now().getTime());
    next();
  };
}
