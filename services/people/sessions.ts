import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { AppError, notFound } from '../app-error';
import { recordAudit, type Actor } from '../audit-log';

/** The person's live sessions, newest first; `current` marks the one asking. */
export async function listOwnSessions(
  deps: { db: Db; now: () => Date },
  opts: { businessId: string; userId: string; currentSidHash: string },
) {
  const now = deps.now();
  const rows = await withTenant(deps.db, opts.businessId, (tx) =>
    tx.userSession.findMany({
      where: { userId: opts.userId, expiresAt: { gt: now }, absoluteExpiresAt: { gt: now } },
      orderBy: { createdAt: 'desc' },
    }),
  );
  return rows.map((s) => ({
    id: s.id,
    current: s.sidHash === opts.currentSidHash,
    createdAt: s.createdAt.toISOString(),
    lastSeenAt: s.lastSeenAt.toISOString(),
    userAgent: s.userAgent,
  }));
}

/** Ends one of the person's own sessions at once: its cookie is refused from the next request on. */
export async function revokeOwnSession(
  deps: { db: Db },
  opts: { actor: Actor & { userId: string }; sessionId: string },
) {
  await withTenant(deps.db, opts.actor.businessId, async (tx) => {
    const { count } = await tx.userSession.deleteMany({ where: { id: opts.sessionId, userId: opts.actor.userId } });
    if (count === 0) throw notFound('session');
    await recordAudit(tx, opts.actor, { action: 'revoke', entity: 'session', entityId: opts.sessionId });
  });
}

export async function auditSignOut(deps: { db: Db }, actor: Actor & { userId: string }) {
  await withTenant(deps.db, actor.businessId, (tx) =>
    recordAudit(tx, actor, { action: 'sign_out', entity: 'user', entityId: actor.userId }),
  );
}

/** The signed-in person and their business, as the sign-in answer shows them. */
export async function signedInView(db: Db, opts: { businessId: string; userId: string }) {
  const row = await withTenant(db, opts.businessId, (tx) =>
    tx.user.findUnique({
      where: { id: opts.userId },
      select: {
        id: true,
        email: true,
        name: true,
        role: true,
        business: { select: { id: true, name: true, timeZone: true } },
      },
    }),
  );
  if (!row) throw new AppError('unauthorized', 'the session has ended; sign in again');
  return { user: { id: row.id, email: row.email, name: row.name, role: row.role }, business: row.business };
}
