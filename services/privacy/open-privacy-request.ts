import { randomUUID } from 'node:crypto';
import type { PrivacyRequest } from '@prisma/client';
import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { correctionContext, type PrivacyKeys } from '../../domain/crypto/privacy-keys';
import { DAY_MS } from '../../domain/time';
import {
  DUE_AFTER_DAYS,
  type PrivacyRequestInput,
  type PrivacyRequestType,
  type VerificationMethod,
} from '../../workflows/privacy/definitions';
import { AppError, notFound } from '../app-error';
import { recordAudit, type Actor } from '../audit-log';
import { importedSubject } from '../imports/imported-subject';
import { capturedLeadIdsByPhone } from '../leads/capture-lead';
import { stillRecording } from '../leads/lead-legal-hold';
import type { LeadWorkflowClient } from '../leads/lead-workflow-client';
import type { PrivacyRequestClient } from './privacy-request-client';

export interface OpenPrivacyRequestOptions {
  actor: Actor;
  type: PrivacyRequestType;
  /** The subject, by id or by the phone on file (exactly one). */
  leadId?: string;
  phone?: string;
  method: VerificationMethod;
  agent?: { name: string; evidence: string };
  correction?: { name?: string; email?: string };
}

/**
 * Opens a data-subject request: its row (due 30 days after receipt, personal details
 * sealed) and its workflow, which verifies the person and then performs it. An owner key
 * opening one with business_confirmation verifies it at once.
 */
export async function openPrivacyRequest(
  deps: {
    db: Db;
    keys: PrivacyKeys | null;
    leads: LeadWorkflowClient;
    privacyRequests: PrivacyRequestClient;
    now: () => Date;
  },
  opts: OpenPrivacyRequestOptions,
): Promise<PrivacyRequest> {
  const { actor, method } = opts;
  if (!deps.keys) throw new AppError('unavailable', 'data-subject requests need ENCRYPTION_KEY to be configured');
  const keys = deps.keys;
  const now = deps.now();
  const id = randomUUID();
  const verified = method === 'business_confirmation' && actor.role === 'owner';
  const created = await withTenant(deps.db, actor.businessId, async (tx) => {
    const leads = await tx.lead.findMany({
      where: opts.leadId ? { id: opts.leadId } : { phone: opts.phone!, erasedAt: null },
      orderBy: { createdAt: 'desc' },
      take: 10,
      select: { id: true, phone: true, email: true, erasedAt: true },
    });
    if (leads.length === 0) {
      // Someone the business imported and who never became a lead: known by the phone alone.
      const imported = opts.phone ? await importedSubject(tx, { phone: opts.phone, type: opts.type, verified }) : null;
      if (!imported) return { error: null };
      if ('error' in imported) return { error: imported.error };
      const row = await tx.privacyRequest.create({
        data: {
          id,
          businessId: actor.businessId,
          leadId: null,
          type: opts.type,
          status: 'verified',
          verificationMethod: method,
          verifiedAt: now,
          agentName: opts.agent?.name ?? null,
          agentEvidence: opts.agent?.evidence ?? null,
          dueAt: new Date(now.getTime() + DUE_AFTER_DAYS * DAY_MS),
          createdAt: now,
          createdByKeyId: actor.keyId,
        },
      });
      await recordAudit(tx, actor, { action: 'create', entity: 'privacy_request', entityId: id });
      return { row, subjectId: imported.customerId };
    }
    if (leads.length > 1) {
      return {
        error: new AppError(
          'conflict',
          'phone: matches several leads; open a request per leadId',
          leads.map((l) => ({ leadId: l.id })),
        ),
      };
    }
    const lead = leads[0]!;
    if (lead.erasedAt) return { error: new AppError('conflict', 'the lead was erased') };
    if (method === 'code_to_phone' && !lead.phone)
      return { error: new AppError('unprocessable', 'verification.method: the lead has no phone on file') };
    if (method === 'code_to_email' && !lead.email)
      return { error: new AppError('unprocessable', 'verification.method: the lead has no email address on file') };
    const sealed = opts.correction ? keys.box.seal(JSON.stringify(opts.correction), correctionContext(id)) : null;
    const row = await tx.privacyRequest.create({
      data: {
        id,
        businessId: actor.businessId,
        leadId: lead.id,
        type: opts.type,
        status: verified ? 'verified' : 'awaiting_verification',
        verificationMethod: method,
        verifiedAt: verified ? now : null,
        agentName: opts.agent?.name ?? null,
        agentEvidence: opts.agent?.evidence ?? null,
        payloadKeyId: sealed?.keyId ?? null,
        payloadCiphertext: sealed?.ciphertext ?? null,
        dueAt: new Date(now.getTime() + DUE_AFTER_DAYS * DAY_MS),
        createdAt: now,
        createdByKeyId: actor.keyId,
      },
    });
    await recordAudit(tx, actor, { action: 'create', entity: 'privacy_request', entityId: id });
    return { row, subjectId: lead.id };
  });
  if ('error' in created) {
    if (created.error) throw created.error;
    throw (await acceptedButUnrecorded(deps, actor.businessId, opts, now)) ? stillRecording() : notFound('lead');
  }
  const { row, subjectId } = created;
  const input: PrivacyRequestInput = {
    requestId: id,
    businessId: actor.businessId,
    subjectId,
    type: opts.type,
    method,
    receivedAt: now.toISOString(),
    dueAt: row.dueAt.toISOString(),
    verified: row.status === 'verified',
  };
  try {
    await deps.privacyRequests.start(input);
  } catch (err) {
    // No workflow, no request: the caller retries and gets one that will be performed.
    await withTenant(deps.db, actor.businessId, (tx) => tx.privacyRequest.deleteMany({ where: { id } })).catch(
      () => {},
    );
    throw err;
  }
  return row;
}

/** A lead accepted while Postgres was down has a workflow but no row yet: it exists, and is recorded shortly. */
async function acceptedButUnrecorded(
  deps: { db: Db; keys: PrivacyKeys | null; leads: LeadWorkflowClient },
  businessId: string,
  opts: { leadId?: string; phone?: string },
  now: Date,
): Promise<boolean> {
  const candidates = opts.leadId
    ? [opts.leadId]
    : await capturedLeadIdsByPhone(
        { db: deps.db, keyring: deps.keys!.keyring },
        { businessId, phone: opts.phone!, now },
      );
  for (const leadId of candidates) if (await deps.leads.isRunningFor(leadId, businessId)) return true;
  return false;
}
