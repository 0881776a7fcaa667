import type { Request, RequestHandler } from 'express';
import type { Db } from '../../db/prisma';
import { findApiKeyByLookup } from '../../db/tenant';
import { AppError } from '../http/errors';
import { hashApiKey, hashesEqual, parseApiKey, type ApiKeyRole } from './api-keys';
import type { KeyCache } from './key-cache';
import { AUTH_THROTTLE, lockedFor, recordAuthFailure, type ThrottleOptions } from './throttle';

export interface AuthContext {
  keyId: string;
  businessId: string;
  role: ApiKeyRole;
}

declare module 'express-serve-static-core' {
  interface Request {
    auth?: AuthContext;
  }
}

/**
 * The Temporal Web UI cannot send our Authorization header to the codec endpoint; with
 * "Include cross-origin credentials" it sends cookies. POST /v1/codec/session sets this
 * one (HttpOnly, SameSite=Strict, Path=/v1/codec), and it counts nowhere else.
 */
export const CODEC_SESSION_COOKIE = 'leadflow_codec_key';

export function codecSessionKey(req: Request): string | undefined {
  if (!req.originalUrl.startsWith('/v1/codec/')) return undefined;
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === CODEC_SESSION_COOKIE && value.length > 0)
      return decodeURIComponent(value.join('=')).trim() || undefined;
  }
  return undefined;
}

function presentedKey(req: Request): string | undefined {
  const header = req.get('authorization');
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  return req.get('x-api-key')?.trim() ?? codecSessionKey(req);
}

export const clientAddress = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';

const lockedOut = (seconds: number) =>
  new AppError('rate_limited', 'too many failed attempts from this address; try again later', null, seconds);

/**
 * Resolves the API key to its business and role. Every bad key looks the same to the
 * caller, the comparison is constant-time, and repeated failures lock the address out.
 */
const unavailable = () => new AppError('unavailable', 'authentication is unavailable; retry shortly', null, 5);

/**
 * An address found not locked out is not asked about again for this long: the lockout
 * check would otherwise be a query on every request. A failure recorded here forgets the
 * address at once; a lockout another replica places applies here within this time.
 */
export const LOCKOUT_CHECK_TTL_MS = 2_000;
const UNLOCKED_REMEMBERED = 10_000;

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
  /** Address → when it was last found not locked out. */
  const unlocked = new Map<string, number>();
  return async (req, _res, next) => {
    const address = clientAddress(req);
    const key = presentedKey(req);
    if (!key) return next(new AppError('unauthorized', 'an API key is required (Authorization: Bearer <key>)'));
    const presentedHash = hashApiKey(key);
    const at = now().getTime();
    const cached = cache.get(presentedHash, at);
    const checkedAt = unlocked.get(address);
    if (checkedAt === undefined || at - checkedAt >= LOCKOUT_CHECK_TTL_MS || at < checkedAt) {
      unlocked.delete(address);
      try {
        const locked = await lockedFor(db, address, now());
        if (locked) return next(lockedOut(locked));
        if (unlocked.size >= UNLOCKED_REMEMBERED) unlocked.delete(unlocked.keys().next().value!);
        unlocked.set(address, at);
      } catch {
        // The lockout table is unreachable: a cached key may still capture; others cannot be checked.
        if (!cached) return next(unavailable());
      }
    }
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
      unlocked.delete(address);
      const lockedNow = await recordAuthFailure(db, address, now(), throttle).catch(() => null);
      return next(lockedNow ? lockedOut(lockedNow) : new AppError('unauthorized', 'the API key is not valid'));
    }
    req.auth = { keyId: row.id, businessId: row.business_id, role: row.role as ApiKeyRole };
    cache.set(presentedHash, req.auth, now().getTime());
    next();
  };
}
