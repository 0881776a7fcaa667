import type { Prisma } from '@prisma/client';
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/prisma';
import { withTenant, type Tx } from '../../db/tenant';
import { AppError } from '../app-error';
import { recordAudit, type Actor } from '../audit-log';
import { resumeLeadsWaitingForSender } from '../leads/resume-leads-waiting-for-sender';
import type { Logger } from '../../logging/logger';

export interface BusinessSettingsInput {
  services?: Array<{
    id?: string;
    name: string;
    durationMinutes: number;
    priceCents?: number | null;
    priceNote?: string | null;
    active?: boolean;
  }>;
  [setting: string]: unknown;
}

/** Maps a taken business number (unique smsNumber) to a 409 naming the field. */
export const rethrowSmsNumberTaken = (err: { code?: string }): never => {
  if (err.code === 'P2002')
    throw new AppError('conflict', 'smsNumber: another business already uses this number', [
      { field: 'smsNumber', reason: 'is in use by another business' },
    ]);
  throw err;
};

/** Settings and the service list, in the caller's tenant transaction (business creation uses it too). */
export async function applySettings(tx: Tx, businessId: string, input: BusinessSettingsInput): Promise<void> {
  const { services, ...settings } = input;
  if (Object.keys(settings).length > 0) {
    await tx.business.update({ where: { id: businessId }, data: settings as Prisma.BusinessUpdateInput });
  }
  if (services) {
    // The list replaces the old one; services that appointments still name are deactivated, not deleted.
    const keep = services.filter((s) => s.id).map((s) => s.id!);
    await tx.service.updateMany({ where: { id: { notIn: keep } }, data: { active: false } });
    for (const s of services) {
      const data = {
        name: s.name,
        durationMinutes: s.durationMinutes,
        priceCents: s.priceCents,
        priceNote: s.priceNote,
        active: s.active,
      };
      if (s.id) {
        const { count } = await tx.service.updateMany({ where: { id: s.id }, data });
        if (count === 0)
          throw new AppError('bad_request', `services: no service with id ${s.id}`, [
            { field: 'services.id', reason: 'is not a service of this business' },
          ]);
      } else await tx.service.create({ data: { ...data, businessId } });
    }
  }
}

/**
 * An owner changes the business's settings; returns the business as it now is. A business
 * that just got its sender number tells its leads waiting for one to go on now.
 */
export async function updateBusinessSettings(
  deps: { db: Db; temporal: Client; log: Logger },
  opts: { actor: Actor; settings: BusinessSettingsInput },
) {
  const { actor } = opts;
  const { business, smsNumberSet } = await withTenant(deps.db, actor.businessId, async (tx) => {
    const before = await tx.business.findUniqueOrThrow({
      where: { id: actor.businessId },
      select: { smsNumber: true },
    });
    await applySettings(tx, actor.businessId, opts.settings);
    await recordAudit(tx, actor, { action: 'update', entity: 'business', entityId: actor.businessId });
    const after = await tx.business.findUniqueOrThrow({
      where: { id: actor.businessId },
      include: { services: { orderBy: { createdAt: 'asc' } } },
    });
    return { business: after, smsNumberSet: !before.smsNumber && Boolean(after.smsNumber) };
  }).catch(rethrowSmsNumberTaken);
  if (smsNumberSet) {
    // The settings are saved either way: a lead this misses goes on at its own next re-check.
    await resumeLeadsWaitingForSender({ db: deps.db, temporal: deps.temporal }, { businessId: actor.businessId }).catch(
      (err: Error) =>
        deps.log.warn({ businessId: actor.businessId, err: err.name }, 'waiting leads not resumed; they re-check'),
    );
  }
  return business;
}
