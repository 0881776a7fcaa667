import { createHash } from 'node:crypto';
import session, { type SessionData } from 'express-session';
import type { Db } from '../../db/prisma';
import { withTenantSql } from '../../db/sql';
import { endSessionBySidHash, findLiveSession } from '../../db/users';

/** A session ends after 12 hours without a request, and 7 days after sign-in whatever happens. */
export const SESSION_IDLE_MS = 12 * 3600_000;
export const SESSION_ABSOLUTE_MS = 7 * 24 * 3600_000;
/** How stale last_seen_at may get before a request writes it again: one write a minute, not one per request. */
const TOUCH_EVERY_MS = 60_000;

declare module 'express-session' {
  interface SessionData {
    userId?: string;
    businessId?: string;
    /** Read from the person's row on every load (never stored): a role change or removal counts at once. */
    role?: string;
    /** The session row's public id (GET /v1/auth/sessions). */
    rowId?: string;
    /** Kept in its own column at the first save. */
    userAgent?: string;
  }
}

/** The cookie carries express-session's random id; Postgres keeps only its SHA-256. */
export const sidHash = (sid: string) => createHash('sha256').update(sid).digest('hex');

const NOT_STORED = new Set(['userId', 'businessId', 'role', 'rowId', 'userAgent']);

/**
 * express-session's store on Postgres under row-level security: a session is found by its
 * hashed id through a SECURITY DEFINER function (the tenant is not known yet), and written
 * in its own business's tenant transaction. Sessions of nobody are never stored.
 */
export class PostgresSessionStore extends session.Store {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {
    super();
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    findLiveSession(this.db, sidHash(sid), this.now()).then(
      (row) =>
        callback(
          null,
          row
            ? ({
                ...row.data,
                userId: row.user_id,
                businessId: row.business_id,
                role: row.role,
                rowId: row.id,
              } as SessionData)
            : null,
        ),
      callback,
    );
  }

  override set(sid: string, sess: SessionData, callback?: (err?: unknown) => void): void {
    const { userId, businessId } = sess;
    if (!userId || !businessId) return callback?.();
    const data = Object.fromEntries(Object.entries(sess).filter(([k]) => !NOT_STORED.has(k)));
    const now = this.now();
    withTenantSql(this.db, businessId, async (c) => {
      // Ended sessions of the person go as sessions are saved: the table holds live ones only.
      await c.query(
        'DELETE FROM user_sessions WHERE user_id = $1 AND sid_hash <> $2 AND (expires_at <= $3 OR absolute_expires_at <= $3)',
        [userId, sidHash(sid), now],
      );
      await c.query(
        `INSERT INTO user_sessions (id, business_id, user_id, sid_hash, data, user_agent, created_at, last_seen_at, expires_at, absolute_expires_at)
         VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $6, $7, $8)
         ON CONFLICT (sid_hash) DO UPDATE SET data = EXCLUDED.data, last_seen_at = EXCLUDED.last_seen_at, expires_at = EXCLUDED.expires_at
         WHERE user_sessions.expires_at > EXCLUDED.created_at AND user_sessions.absolute_expires_at > EXCLUDED.created_at`,
        [
          businessId,
          userId,
          sidHash(sid),
          JSON.stringify(data),
          (sess.userAgent ?? '').slice(0, 300),
          now,
          new Date(now.getTime() + SESSION_IDLE_MS),
          new Date(now.getTime() + SESSION_ABSOLUTE_MS),
        ],
      );
    }).then(
      () => callback?.(),
      (err: unknown) => callback?.(err),
    );
  }

  override touch(sid: string, sess: SessionData, callback?: (err?: unknown) => void): void {
    if (!sess.businessId) return callback?.();
    const now = this.now();
    withTenantSql(this.db, sess.businessId, (c) =>
      c.query(
        'UPDATE user_sessions SET last_seen_at = $2, expires_at = $3 WHERE sid_hash = $1 AND last_seen_at < $4 AND expires_at > $2 AND absolute_expires_at > $2',
        [sidHash(sid), now, new Date(now.getTime() + SESSION_IDLE_MS), new Date(now.getTime() - TOUCH_EVERY_MS)],
      ),
    ).then(
      () => callback?.(),
      (err: unknown) => callback?.(err),
    );
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    endSessionBySidHash(this.db, sidHash(sid)).then(
      () => callback?.(),
      (err: unknown) => callback?.(err),
    );
  }
}
