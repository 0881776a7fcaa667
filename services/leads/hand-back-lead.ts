import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { isUuid } from '../../domain/ids';
import { notFound } from '../app-error';
import { recordAudit, type Actor } from '../audit-log';
import type { LeadWorkflowClient } from './lead-workflow-client';

/**
 * A person at the business hands the lead back to the assistant: its workflow leaves the
 * handoff, answers the lead's next texts and resumes the follow-ups it is due. A lead that is
 * not handed off is unchanged, so a repeated request is harmless.
 */
export async function handBackLead(
  deps: { db: Db; leads: LeadWorkflowClient },
  opts: { actor: Actor; leadId: string },
): Promise<void> {
  const { actor, leadId } = opts;
  // Another tenant's lead and no lead at all get the same answer.
  if (!isUuid(leadId) || (await deps.leads.ownerOf(leadId)) !== actor.businessId) throw notFound('lead');
  if (!(await deps.leads.handBack(leadId))) throw notFound('lead');
  await withTenant(deps.db, actor.businessId, (tx) =>
    recordAudit(tx, actor, { action: 'update', entity: 'lead', entityId: leadId }),
  );
}
