import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { notFound } from '../app-error';
import { recordAudit, type Actor } from '../audit-log';

/**
 * Removes a person with their services and time off. Their appointments stay booked, no
 * longer assigned (and then block every remaining technician's slot, as appointments from
 * before technicians do); deactivating (active: false) keeps them assigned instead.
 */
export async function deleteTechnician(deps: { db: Db }, input: { actor: Actor; id: string }): Promise<void> {
  await withTenant(deps.db, input.actor.businessId, async (tx) => {
    const { count } = await tx.technician.deleteMany({ where: { id: input.id } });
    if (count === 0) throw notFound('technician');
    await recordAudit(tx, input.actor, { action: 'delete', entity: 'technician', entityId: input.id });
  });
}
