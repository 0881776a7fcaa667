import type { Db } from '../../db/prisma';
import { withTenantSql } from '../../db/sql';
import { withTenant } from '../../db/tenant';
import type { Keyring } from '../../domain/crypto/keyring';
import { AppError, notFound } from '../app-error';
import { recordAudit, type Actor } from '../audit-log';
import { isUuid } from '../../domain/ids';
import { isWorkflowNotFound, updateRefusal, type LeadWorkflowClient } from './lead-workflow-client';
import { claimDigests, claimRequest, IDEMPOTENCY_KEY_TTL_MS, requestHash } from './request-claims';

/**
 * A person at the business texts the lead. The lead's workflow sends it (the outbox and the
 * send rules are the same as for every text) and steps the AI back for this lead.
 *
 * With an Idempotency-Key the workflow sends once per key and answers a retry with the first
 * send's result; the key is claimed with a hash of the lead and the text first, so a key
 * reused for another text is refused instead of answering with the old message.
 */
export async function sendPersonMessage(
  deps: { db: Db; leads: LeadWorkflowClient; keyring: Keyring },
  opts: { actor: Actor; leadId: string; text: string; requestId: string; idempotencyKey?: string; now: Date },
): Promise<{ messageId: string | null; status: 'sent' }> {
  const { actor, leadId } = opts;
  if (!isUuid(leadId) || (await deps.leads.ownerOf(leadId)) !== actor.businessId) throw notFound('lead');
  if (opts.idempotencyKey) {
    const key = opts.idempotencyKey;
    await withTenantSql(deps.db, actor.businessId, (c) =>
      claimRequest(c, {
        businessId: actor.businessId,
        digests: claimDigests(deps.keyring, actor.businessId, { kind: 'message-key', key }),
        leadId,
        requestHash: requestHash(deps.keyring, { leadId, text: opts.text }),
        now: opts.now,
        ttlMs: IDEMPOTENCY_KEY_TTL_MS,
      }),
    );
  }
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
