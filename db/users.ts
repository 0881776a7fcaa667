import type { Db } from './prisma';
import { sql } from './sql';

/** Sign-in's candidates before the tenant is known (SECURITY DEFINER, see the people migration). */
export interface SignInCandidate {
  id: string;
  business_id: string;
  role: string;
  password_hash: string;
  totp_secret: string | null;
  totp_enabled_at: Date | null;
  locked_until: Date | null;
}

export function findUsersByEmail(db: Db, email: string): Promise<SignInCandidate[]> {
  return sql<SignInCandidate>(
    db,
    'SELECT id, business_id, role, password_hash, totp_secret, totp_enabled_at, locked_until FROM leadflow_find_users_by_email($1)',
    [email],
  );
}

export interface LiveSessionRow {
  id: string;
  business_id: string;
  user_id: string;
  role: string;
  data: Record<string, unknown>;
}

/** A live session by the hash of its cookie's id: not idle past its expiry, not past its absolute limit. */
export async function findLiveSession(db: Db, sidHash: string, now: Date): Promise<LiveSessionRow | null> {
  const [row] = await sql<LiveSessionRow>(
    db,
    'SELECT id, business_id, user_id, role, data FROM leadflow_find_user_session($1, $2)',
    [sidHash, now],
  );
  return row ?? null;
}

export async function endSessionBySidHash(db: Db, sidHash: string): Promise<void> {
  await sql(db, 'SELECT leadflow_end_user_session($1)', [sidHash]);
}

export async function findInvitationByTokenHash(db: Db, tokenHash: string) {
  const [row] = await sql<{ id: string; business_id: string; expires_at: Date; accepted_at: Date | null }>(
    db,
    'SELECT id, business_id, expires_at, accepted_at FROM leadflow_find_invitation($1)',
    [tokenHash],
  );
  return row ?? null;
}

export async function findPasswordResetByTokenHash(db: Db, tokenHash: string) {
  const [row] = await sql<{ id: string; business_id: string; expires_at: Date; used_at: Date | null }>(
    db,
    'SELECT id, business_id, expires_at, used_at FROM leadflow_find_password_reset($1)',
    [tokenHash],
  );
  return row ?? null;
}
