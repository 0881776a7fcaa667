import type { Db } from '../../db/prisma';
import { withTenantSql } from '../../db/sql';

/** 10 failed sign-ins within 15 minutes lock the account (not the address, not the business's keys) for 15 minutes. */
export const ACCOUNT_LOCKOUT = { windowMs: 15 * 60_000, maxFailures: 10, lockMs: 15 * 60_000 } as const;

/** Counts one failure atomically; the lock's remaining seconds when this failure locked the account. */
export async function recordAccountFailure(
  db: Db,
  user: { id: string; businessId: string },
  now: Date,
): Promise<number | null> {
  const windowStart = new Date(now.getTime() - ACCOUNT_LOCKOUT.windowMs);
  const lockUntil = new Date(now.getTime() + ACCOUNT_LOCKOUT.lockMs);
  const { rows } = await withTenantSql(db, user.businessId, (c) =>
    c.query<{ locked_until: Date | null }>(
      `UPDATE users SET
         failed_sign_ins = CASE WHEN failure_window_start IS NULL OR failure_window_start < $2 THEN 1 ELSE failed_sign_ins + 1 END,
         failure_window_start = CASE WHEN failure_window_start IS NULL OR failure_window_start < $2 THEN $3 ELSE failure_window_start END,
         locked_until = CASE
           WHEN failure_window_start >= $2 AND failed_sign_ins + 1 >= $4 THEN $5
           ELSE locked_until END
       WHERE id = $1 RETURNING locked_until`,
      [user.id, windowStart, now, ACCOUNT_LOCKOUT.maxFailures, lockUntil],
    ),
  );
  return secondsUntil(rows[0]?.locked_until ?? null, now);
}

export async function clearAccountFailures(db: Db, user: { id: string; businessId: string }, now: Date) {
  await withTenantSql(db, user.businessId, (c) =>
    c.query(
      'UPDATE users SET failed_sign_ins = 0, failure_window_start = NULL, locked_until = NULL, last_sign_in_at = $2 WHERE id = $1',
      [user.id, now],
    ),
  );
}

export function secondsUntil(until: Date | null, now: Date): number | null {
  return until && until > now ? Math.ceil((until.getTime() - now.getTime()) / 1000) : null;
}
