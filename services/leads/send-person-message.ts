import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { AppError, notFound } from '../app-error';
import { recordAudit, type Actor } from '../audit-log';
import { isUuid } from '../../domain/ids';
import { isWorkflowNotFound, updateRefusal, type LeadWorkflowClient } from './lead-workflow-client';

/**
 * A person at the business texts the lead. The lead's workflow sends it (the outbox and the
 * send rules are the same as for every text) and steps the AI back for this lead.
 */
export async function sendPersonMessage(
  deps: { db: Db; leads: LeadWorkflowClient },
  opts: { actor: Actor; leadId: string; text: string; requestId: string },
): Promise<{ messageId: string | null; status: 'sent' }> {
  const { actor, leadId } = opts;
  if (!isUuid(leadId) || (await deps.leads.ownerOf(leadId)) !== actor.businessId) throw notFound('lead');
  let result: Awaited<ReturnType<LeadWorkflowClient['sendManualMessage']>>;
  try {
    result = await deps.leads.sendManualMessage(leadId, { text: opts.text, requestId: opts.requestId });
  } catch (err) {
    const refusal = updateRefusal(err);
    if (refusal !== null) throw new AppError('conflict', refusal);
    if (isWorkflowNotFound(err)) throw notFound('lead');
    throw err;
  }
  await withTenant(deps.db, actor.businessId, (tx) =>
    recordAudit(tx, actor, { action: 'message', entity: 'lead', entityId: leadId }),
  );
  if (result.status !== 'sent')
    throw new AppError('unprocessable', `the text was not sent: ${result.reason ?? 'refused'}`);
  return { messageId: result.messageId, status: 'sent' };
}
