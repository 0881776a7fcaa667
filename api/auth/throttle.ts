import type { Db } from '../../db/prisma';
import { sql } from '../../db/sql';

/**
 * Failed authentication, counted per client address in Postgres (shared by every API
 * replica): after `maxFailures` within `windowMs` the address is locked out for `lockMs`
 * (the policies promise "rate limiting and account lockout protections").
 */
export const AUTH_THROTTLE = { windowMs: 15 * 60_000, maxFailures: 10, lockMs: 15 * 60_000 } as const;

export interface ThrottleOptions {
  windowMs: number;
  maxFailures: number;
  lockMs: number;
}

/** Seconds until the lock lifts, or null when the address may try. */
export async function lockedFor(db: Db, address: string, now: Date): Promise<number | null> {
  // Asked by every authenticated request: plain SQL (db/sql.ts).
  const [row] = await sql<{ locked_until: Date | null }>(
    db,
    'SELECT locked_until FROM auth_throttles WHERE address = $1',
    [address],
  );
  if (!row?.locked_until || row.locked_until <= now) return null;
  return Math.ceil((row.locked_until.getTime() - now.getTime()) / 1000);
}

/** Counts one failure atomically; returns the lock's remaining seconds if this failure locked the address. */
export async function recordAuthFailure(
  db: Db,
  address: string,
  now: Date,
  opts: ThrottleOptions = AUTH_THROTTLE,
): Promise<number | null> {
  const windowStart = new Date(now.getTime() - opts.windowMs);
  const lockUntil = new Date(now.getTime() + opts.lockMs);
  const rows = await db.$queryRaw<Array<{ locked_until: Date | null }>>`
    INSERT INTO auth_throttles (address, failures, window_start)
    VALUES (${address}, 1, ${now})
    ON CONFLICT (address) DO UPDATE SET
      failures = CASE WHEN auth_throttles.window_start < ${windowStart} THEN 1 ELSE auth_throttles.failures + 1 END,
      window_start = CASE WHEN auth_throttles.window_start < ${windowStart} THEN ${now} ELSE auth_throttles.window_start END,
      locked_until = CASE
        WHEN auth_throttles.window_start >= ${windowStart} AND auth_throttles.failures + 1 >= ${opts.maxFailures} THEN ${lockUntil}
        ELSE auth_throttles.locked_until END
    RETURNING locked_until`;
  const locked = rows[0]?.locked_until;
  return locked && locked > now ? Math.ceil((locked.getTime() - now.getTime()) / 1000) : null;
}

/**
 * The same count in this process, for when Postgres cannot take a failure: the lockout then
 * still follows (per replica) instead of failing open. Bounded: the oldest entry goes first.
 */
export class MemoryThrottle {
  private readonly entries = new Map<string, { failures: number; windowStart: number; lockedUntil: number }>();

  constructor(private readonly max = 10_000) {}

  /** Seconds until this process's lock on the address lifts, or null. */
  lockedFor(address: string, now: Date): number | null {
    const until = this.entries.get(address)?.lockedUntil ?? 0;
    return until > now.getTime() ? Math.ceil((until - now.getTime()) / 1000) : null;
  }

  recordFailure(address: string, now: Date, opts: ThrottleOptions = AUTH_THROTTLE): number | null {
    const t = now.getTime();
    const entry = this.entries.get(address);
    const fresh = !entry || entry.windowStart < t - opts.windowMs;
    const next = fresh
      ? { failures: 1, windowStart: t, lockedUntil: entry?.lockedUntil ?? 0 }
      : { ...entry, failures: entry.failures + 1 };
    if (next.failures >= opts.maxFailures) next.lockedUntil = t + opts.lockMs;
    this.entries.delete(address);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(address, next);
    return this.lockedFor(address, now);
  }
}
