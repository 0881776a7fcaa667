import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { isUuid } from '../../domain/ids';
import { notFound } from '../app-error';
import { recordAudit, type Actor } from '../audit-log';
import type { LeadWorkflowClient } from '../leads/lead-workflow-client';

/**
 * A person at the business stops the lead's review request: the one waiting to go out and
 * the reminder of one already sent. Nothing pending: unchanged, so a repeat is harmless.
 */
export async function stopReviewRequest(
  deps: { db: Db; leads: LeadWorkflowClient },
  opts: { actor: Actor; leadId: string },
): Promise<void> {
  const { actor, leadId } = opts;
  // Another tenant's lead and no lead at all get the same answer.
  if (!isUuid(leadId) || (await deps.leads.ownerOf(leadId)) !== actor.businessId) throw notFound('lead');
  if (!(await deps.leads.stopReviewRequest(leadId))) throw notFound('lead');
  await withTenant(deps.db, actor.businessId, (tx) =>
    recordAudit(tx, actor, { action: 'update', entity: 'lead', entityId: leadId }),
  );
}
