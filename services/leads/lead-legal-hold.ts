import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { AppError, notFound } from '../app-error';
import { recordAudit, type Actor } from '../audit-log';
import { isUuid } from '../../domain/ids';
import type { LeadWorkflowClient } from './lead-workflow-client';

export interface LeadHold {
  id: string;
  legalHoldReason: string | null;
  legalHoldBy: string | null;
  legalHoldAt: Date | null;
}

/** How long a caller waits before asking again about a lead whose row is still being written. */
export const RECORDING_RETRY_SECONDS = 2;

/**
 * Places (hold) or releases (null) a lead's legal hold: the columns are the truth every
 * deletion re-reads, the workflow is told at once. A lead that was accepted but whose row
 * is not written yet (Postgres was down at capture) is a 409 to retry shortly, never a 404.
 */
export async function setLeadLegalHold(
  deps: { db: Db; leads: LeadWorkflowClient },
  opts: { actor: Actor; leadId: string; hold: { reason: string; by: string; at: Date } | null },
): Promise<LeadHold> {
  const { actor, leadId, hold } = opts;
  if (!isUuid(leadId)) throw notFound('lead');
  const lead = await withTenant(deps.db, actor.businessId, async (tx) => {
    const found = await tx.lead.findUnique({ where: { id: leadId }, select: { id: true } });
    if (!found) return null;
    const updated = await tx.lead.update({
      where: { id: leadId },
      data: { legalHoldReason: hold?.reason ?? null, legalHoldBy: hold?.by ?? null, legalHoldAt: hold?.at ?? null },
      select: { id: true, legalHoldReason: true, legalHoldBy: true, legalHoldAt: true },
    });
    await recordAudit(tx, actor, { action: hold ? 'hold' : 'release', entity: 'lead', entityId: leadId });
    return updated;
  });
  if (!lead) {
    if (await deps.leads.isRunningFor(leadId, actor.businessId)) throw stillRecording();
    throw notFound('lead');
  }
  // A finished workflow has nothing left to delete; the sweeps read the column.
  await deps.leads.legalHold(leadId, hold !== null);
  return lead;
}

export const stillRecording = () =>
  new AppError(
    'conflict',
    'the lead was accepted and is still being recorded; retry shortly',
    null,
    RECORDING_RETRY_SECONDS,
  );
