import type { Db } from '../../db/prisma';
import { withTenant, type Tx } from '../../db/tenant';
import { notFound } from '../app-error';
import { recordAudit, type Actor } from '../audit-log';

export interface ServiceInput {
  name?: string;
  durationMinutes?: number;
  priceCents?: number | null;
  priceNote?: string | null;
  active?: boolean;
  keywords?: string[];
}

export interface ServiceView {
  id: string;
  name: string;
  durationMinutes: number;
  priceCents: number | null;
  priceNote: string | null;
  active: boolean;
  keywords: string[];
  technicianIds: string[];
  createdAt: string;
}

async function serviceViews(tx: Tx, id?: string): Promise<ServiceView[]> {
  const rows = await tx.service.findMany({
    where: id ? { id } : {},
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    include: { technicians: { select: { technicianId: true }, orderBy: { technicianId: 'asc' } } },
  });
  return rows.map((s) => ({
    id: s.id,
    name: s.name,
    durationMinutes: s.durationMinutes,
    priceCents: s.priceCents,
    priceNote: s.priceNote,
    active: s.active,
    keywords: s.keywords ?? [],
    technicianIds: s.technicians.map((t) => t.technicianId),
    createdAt: s.createdAt.toISOString(),
  }));
}

export const listServices = (deps: { db: Db }, input: { businessId: string }) =>
  withTenant(deps.db, input.businessId, (tx) => serviceViews(tx));

export async function createService(
  deps: { db: Db },
  input: { actor: Actor; service: Required<Pick<ServiceInput, 'name' | 'durationMinutes'>> & ServiceInput },
): Promise<ServiceView> {
  return withTenant(deps.db, input.actor.businessId, async (tx) => {
    const { id } = await tx.service.create({
      data: { businessId: input.actor.businessId, ...input.service },
      select: { id: true },
    });
    await recordAudit(tx, input.actor, { action: 'create', entity: 'service', entityId: id });
    return (await serviceViews(tx, id))[0]!;
  });
}

export async function updateService(
  deps: { db: Db },
  input: { actor: Actor; id: string; service: ServiceInput },
): Promise<ServiceView> {
  return withTenant(deps.db, input.actor.businessId, async (tx) => {
    const { count } = await tx.service.updateMany({ where: { id: input.id }, data: input.service });
    if (count === 0) throw notFound('service');
    await recordAudit(tx, input.actor, { action: 'update', entity: 'service', entityId: input.id });
    return (await serviceViews(tx, input.id))[0]!;
  });
}

/** Deleted, with who does it; a service appointments still name is deactivated instead, so they keep it. */
export async function deleteService(deps: { db: Db }, input: { actor: Actor; id: string }): Promise<void> {
  await withTenant(deps.db, input.actor.businessId, async (tx) => {
    if ((await tx.service.count({ where: { id: input.id } })) === 0) throw notFound('service');
    if ((await tx.appointment.count({ where: { serviceId: input.id } })) > 0) {
      await tx.service.update({ where: { id: input.id }, data: { active: false } });
      await tx.technicianService.deleteMany({ where: { serviceId: input.id } });
    } else await tx.service.delete({ where: { id: input.id } });
    await recordAudit(tx, input.actor, { action: 'delete', entity: 'service', entityId: input.id });
  });
}
