import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/prisma';
import { sql } from '../db/sql';
import { withTenant } from '../db/tenant';

/**
 * Browser sign-ins for the Temporal UI's codec calls. The cookie holds a random 256-bit
 * token, never an API key; the database keeps only its SHA-256 (a token that random needs no
 * slower hash), the key it stands for, and when it ends. Signing out revokes it, and it
 * stops working the moment its API key is revoked.
 */

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export async function createCodecSession(
  db: Db,
  opts: { businessId: string; apiKeyId: string; now: Date; ttlMs: number },
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(opts.now.getTime() + opts.ttlMs);
  await withTenant(db, opts.businessId, async (tx) => {
    // Ended sessions of the business go as new ones are made: the table holds live ones only.
    await tx.codecSession.deleteMany({ where: { businessId: opts.businessId, expiresAt: { lte: opts.now } } });
    await tx.codecSession.create({
      data: {
        businessId: opts.businessId,
        apiKeyId: opts.apiKeyId,
        tokenHash: tokenHash(token),
        createdAt: opts.now,
        expiresAt,
      },
    });
  });
  return { token, expiresAt };
}

/** The API key a live session stands for, or null (unknown, expired, signed out, or its key revoked). */
export async function findCodecSession(
  db: Db,
  token: string,
  now: Date,
): Promise<{ keyId: string; businessId: string; role: string } | null> {
  const [row] = await sql<{ api_key_id: string; business_id: string; role: string }>(
    db,
    'SELECT api_key_id, business_id, role FROM leadflow_find_codec_session($1, $2)',
    [tokenHash(token), now],
  );
  return row ? { keyId: row.api_key_id, businessId: row.business_id, role: row.role } : null;
}

/** Signs the session out; true when there was a live one of this business to end. */
export async function revokeCodecSession(db: Db, opts: { businessId: string; token: string; now: Date }) {
  const { count } = await withTenant(db, opts.businessId, (tx) =>
    tx.codecSession.updateMany({
      where: { tokenHash: tokenHash(opts.token), revokedAt: null },
      data: { revokedAt: opts.now },
    }),
  );
  return count > 0;
}
