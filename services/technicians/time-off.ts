import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { notFound } from '../app-error';
import { recordAudit, type Actor } from '../audit-log';
import { technicianViews, type TechnicianView } from './technician-view';

/** A period the person is away: no slot of theirs overlaps it. Answers the person as they now are. */
export async function addTimeOff(
  deps: { db: Db; now: () => Date },
  input: { actor: Actor; technicianId: string; startsAt: Date; endsAt: Date; reason?: string | null },
): Promise<TechnicianView> {
  return withTenant(deps.db, input.actor.businessId, async (tx) => {
    if ((await tx.technician.count({ where: { id: input.technicianId } })) === 0) throw notFound('technician');
    const row = await tx.technicianTimeOff.create({
      data: {
        businessId: input.actor.businessId,
        technicianId: input.technicianId,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        reason: input.reason ?? null,
      },
      select: { id: true },
    });
    await recordAudit(tx, input.actor, { action: 'create', entity: 'technician_time_off', entityId: row.id });
    return (await technicianViews(tx, { now: deps.now(), id: input.technicianId }))[0]!;
  });
}

export async function removeTimeOff(
  deps: { db: Db },
  input: { actor: Actor; technicianId: string; timeOffId: string },
): Promise<void> {
  await withTenant(deps.db, input.actor.businessId, async (tx) => {
    const { count } = await tx.technicianTimeOff.deleteMany({
      where: { id: input.timeOffId, technicianId: input.technicianId },
    });
    if (count === 0) throw notFound('time off');
    await recordAudit(tx, input.actor, { action: 'delete', entity: 'technician_time_off', entityId: input.timeOffId });
  });
}
