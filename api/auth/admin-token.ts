import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Db } from '../../db/prisma';
import { clientAddress } from '../http/client-address';
import { AppError } from '../http/errors';
import { AUTH_THROTTLE, lockedFor, MemoryThrottle, recordAuthFailure, type ThrottleOptions } from './throttle';

const sha = (v: string) => createHash('sha256').update(v).digest();

/**
 * The platform admin token, as `Authorization: Bearer <ADMIN_TOKEN>` and in no other form.
 * Unlike a 256-bit API key the token may be guessable, so a locked-out address is refused
 * even with the right token (otherwise the lock would still answer every guess). Failures
 * are counted per address apart from API-key failures (`admin|<address>`), so guessing keys
 * behind a shared address does not lock the platform admin out.
 */
export function adminTokenGuard({
  token,
  db,
  now = () => new Date(),
  throttle = AUTH_THROTTLE,
}: {
  token: string | undefined;
  db: Db;
  now?: () => Date;
  throttle?: ThrottleOptions;
}): RequestHandler {
  const fallback = new MemoryThrottle();
  const lockedOut = (seconds: number) =>
    new AppError('rate_limited', 'too many failed attempts from this address; try again later', null, seconds);
  return async (req, _res, next) => {
    const header = req.get('authorization');
    if (!token || header === undefined)
      return next(new AppError('unauthorized', 'the platform admin token is required'));
    const address = `admin|${clientAddress(req)}`;
    let locked: number | null;
    try {
      locked = (await lockedFor(db, address, now())) ?? fallback.lockedFor(address, now());
    } catch {
      return next(new AppError('unavailable', 'authentication is unavailable; retry shortly', null, 5));
    }
    if (locked) return next(lockedOut(locked));
    const presented = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : null;
    // Compare digests: constant time, and no length leak.
    if (presented !== null && timingSafeEqual(sha(presented), sha(token))) return next();
    const lockedNow = await recordAuthFailure(db, address, now(), throttle).catch(() =>
      fallback.recordFailure(address, now(), throttle),
    );
    next(lockedNow ? lockedOut(lockedNow) : new AppError('unauthorized', 'the platform admin token is required'));
  };
}
