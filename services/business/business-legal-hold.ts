import type { Client } from '@temporalio/client';
import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { signalTenantHold } from '../account-workflow';
import { notFound } from '../app-error';
import { recordAudit, type Actor } from '../audit-log';

export const HOLD_COLUMNS = { id: true, legalHoldReason: true, legalHoldBy: true, legalHoldAt: true } as const;

export interface BusinessHold {
  id: string;
  legalHoldReason: string | null;
  legalHoldBy: string | null;
  legalHoldAt: Date | null;
}

export interface BusinessHoldDeps {
  db: Db;
  temporal: Client;
  taskQueue?: string;
  now: () => Date;
  call?: <T>(fn: () => Promise<T>) => Promise<T>;
}

/**
 * A tenant-wide legal hold pauses every deletion of the business's data: the purge after
 * cancellation, every lead's retention timer, the sweeps. The columns are the truth (each
 * deletion re-reads them); the account workflow is told at once and passes it on to every
 * running lead workflow of the business.
 */
export async function setBusinessLegalHold(
  deps: BusinessHoldDeps,
  opts: { actor: Actor; hold: { reason: string; by: string; at: Date } | null },
): Promise<BusinessHold> {
  const { actor, hold } = opts;
  const businessId = actor.businessId;
  const business = await withTenant(deps.db, businessId, async (tx) => {
    const { count } = await tx.business.updateMany({
      where: { id: businessId },
      data: { legalHoldReason: hold?.reason ?? null, legalHoldBy: hold?.by ?? null, legalHoldAt: hold?.at ?? null },
    });
    // Purged meanwhile (its keys would be gone a moment later): nothing left to hold.
    if (count === 0) return null;
    await recordAudit(tx, actor, { action: hold ? 'hold' : 'release', entity: 'business', entityId: businessId });
    return tx.business.findUniqueOrThrow({ where: { id: businessId }, select: HOLD_COLUMNS });
  });
  if (!business) throw notFound('business');
  const run = deps.call ?? (<T>(fn: () => Promise<T>) => fn());
  await run(() => signalTenantHold({ temporal: deps.temporal, businessId, taskQueue: deps.taskQueue }, hold !== null));
  return business;
}
