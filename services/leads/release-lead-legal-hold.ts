import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import type { Actor } from '../audit-log';
import type { PrivacyRequestClient } from '../privacy/privacy-request-client';
import { setLeadLegalHold, type LeadHold } from './lead-legal-hold';
import type { LeadWorkflowClient } from './lead-workflow-client';

/** Releases a lead's legal hold: its deletion timers resume, and erasure requests that waited on it go on. */
export async function releaseLeadLegalHold(
  deps: { db: Db; leads: LeadWorkflowClient; privacyRequests: PrivacyRequestClient; now: () => Date },
  opts: { actor: Actor; leadId: string },
): Promise<LeadHold> {
  const lead = await setLeadLegalHold(deps, { actor: opts.actor, leadId: opts.leadId, hold: null });
  const waiting = await withTenant(deps.db, opts.actor.businessId, (tx) =>
    tx.privacyRequest.findMany({ where: { leadId: opts.leadId, status: 'waiting_legal_hold' }, select: { id: true } }),
  );
  // They also re-read the hold hourly; the signal spares them the wait.
  for (const { id } of waiting) await deps.privacyRequests.holdReleased(id, deps.now().toISOString());
  return lead;
}
