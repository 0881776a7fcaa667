import type { Db } from '../../db/prisma';
import { withTenant, type Tx } from '../../db/tenant';
import type { PersonRole } from '../../domain/roles';
import { isUuid } from '../../domain/ids';
import { AppError, notFound } from '../app-error';
import { recordAudit, type Actor } from '../audit-log';

const view = (u: {
  id: string;
  email: string;
  name: string;
  role: string;
  createdAt: Date;
  lastSignInAt: Date | null;
  totpEnabledAt: Date | null;
}) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  createdAt: u.createdAt.toISOString(),
  lastSignInAt: u.lastSignInAt?.toISOString() ?? null,
  totpEnabled: u.totpEnabledAt !== null,
});

export async function listPeople(deps: { db: Db }, actor: Actor) {
  return withTenant(deps.db, actor.businessId, async (tx) => {
    const rows = await tx.user.findMany({ orderBy: { createdAt: 'asc' } });
    await recordAudit(tx, actor, { action: 'list', entity: 'user' });
    return rows.map(view);
  });
}

/** A business always keeps one owner who can sign in: the last one cannot be demoted or removed. */
async function refuseLastOwner(tx: Tx, user: { id: string; role: string }) {
  if (user.role !== 'owner') return;
  const owners = await tx.user.count({ where: { role: 'owner' } });
  if (owners <= 1) throw new AppError('conflict', 'this is the business’s only owner: make someone else owner first');
}

export async function changeRole(deps: { db: Db }, opts: { actor: Actor; userId: string; role: PersonRole }) {
  if (!isUuid(opts.userId)) throw notFound('user');
  return withTenant(deps.db, opts.actor.businessId, async (tx) => {
    const user = await tx.user.findUnique({ where: { id: opts.userId } });
    if (!user) throw notFound('user');
    if (user.role !== opts.role) {
      if (opts.role !== 'owner') await refuseLastOwner(tx, user);
      await tx.user.update({ where: { id: user.id }, data: { role: opts.role } });
      await recordAudit(tx, opts.actor, { action: 'role_change', entity: 'user', entityId: user.id });
    }
    return view({ ...user, role: opts.role });
  });
}

/** Removes the person: their sessions end with them (cascade). */
export async function removePerson(deps: { db: Db }, opts: { actor: Actor; userId: string }) {
  if (!isUuid(opts.userId)) throw notFound('user');
  await withTenant(deps.db, opts.actor.businessId, async (tx) => {
    const user = await tx.user.findUnique({ where: { id: opts.userId } });
    if (!user) throw notFound('user');
    await refuseLastOwner(tx, user);
    await tx.user.delete({ where: { id: user.id } });
    await recordAudit(tx, opts.actor, { action: 'delete', entity: 'user', entityId: user.id });
  });
}
