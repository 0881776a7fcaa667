import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { LeadCodec } from '../../codec/lead-data-converter';
import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { isOptOutKeyword } from '../../domain/intent-rules';
import type { LeadWorkflowInput } from '../../workflows/lead/definitions';
import { captureLead } from './capture-lead';
import { leadWorkflowClient, type LeadWorkflowClient } from './lead-workflow-client';

export interface InboundSmsInput {
  businessId: string;
  /** The lead's number, E.164. */
  from: string;
  body: string;
  /** The carrier's message id (Twilio MessageSid): a retried webhook is processed once. */
  providerId: string;
  provider: string;
  receivedAt: Date;
}

export type InboundResult = { leadId: string; duplicate: boolean; createdLead: boolean };

export interface ReceiveInboundSmsDeps {
  db: Db;
  /** The lead workflows' client; built from `temporal` and `taskQueue` when not given. */
  leads?: LeadWorkflowClient;
  temporal?: Client;
  taskQueue?: string;
  leadCodec?: LeadCodec | null;
}

const SMS_CONSENT = 'Inbound text message to the business number';

/**
 * An inbound text reaches its lead's workflow. The row is written first (a retry of the
 * same MessageSid finds it and stops), a carrier opt-out keyword suppresses the number
 * before anything else can run (so no send slips out after STOP), then the workflow is
 * signalled — started, if the sender is new to this business: texting a business makes
 * you a lead, through the same capture as a form.
 */
export async function receiveInboundSms(deps: ReceiveInboundSmsDeps, input: InboundSmsInput): Promise<InboundResult> {
  const leads = deps.leads ?? leadWorkflowClient({ temporal: deps.temporal!, taskQueue: deps.taskQueue });
  const optOut = isOptOutKeyword(input.body);
  const stored = await withTenant(deps.db, input.businessId, async (tx) => {
    const duplicate = await tx.message.findUnique({
      where: { providerId: input.providerId },
      select: { id: true, leadId: true, body: true, createdAt: true },
    });
    // Signalled again below: the first delivery may have stored the row and then failed to
    // reach Temporal (answered 5xx, so Twilio retries). The workflow takes each message id once.
    if (duplicate)
      return {
        leadId: duplicate.leadId,
        duplicate: true,
        messageId: duplicate.id,
        body: duplicate.body,
        receivedAt: duplicate.createdAt,
      };
    const lead = await tx.lead.findFirst({
      where: { phone: input.from, erasedAt: null, status: { not: 'retention_deleted' } },
      orderBy: { createdAt: 'desc' },
      select: { id: true },
    });
    if (!lead) return null;
    const message = await tx.message.create({
      data: {
        businessId: input.businessId,
        leadId: lead.id,
        direction: 'inbound',
        kind: 'inbound',
        body: input.body,
        status: 'received',
        provider: input.provider,
        providerId: input.providerId,
        createdAt: input.receivedAt,
      },
    });
    await tx.lead.update({ where: { id: lead.id }, data: { lastActivityAt: input.receivedAt } });
    if (optOut) {
      await tx.suppression.upsert({
        where: { businessId_phone: { businessId: input.businessId, phone: input.from } },
        create: { businessId: input.businessId, phone: input.from, reason: 'keyword' },
        update: {},
      });
    }
    return { leadId: lead.id, duplicate: false, messageId: message.id, body: input.body, receivedAt: input.receivedAt };
  });

  const lead = {
    name: '',
    phone: input.from,
    source: 'sms' as const,
    // Texting the business first is consent to be answered about that request.
    consent: { text: SMS_CONSENT, at: input.receivedAt.toISOString(), method: 'sms' as const },
  };
  if (!stored) {
    const captured = await captureLead(
      { db: deps.db, leads, leadCodec: deps.leadCodec ?? null },
      {
        businessId: input.businessId,
        lead,
        capturedAt: input.receivedAt,
        leadId: randomUUID(),
        firstText: { providerId: input.providerId, provider: input.provider, body: input.body, optOut },
      },
    );
    return { leadId: captured.leadId, duplicate: false, createdLead: true };
  }

  const receivedAt = stored.receivedAt.toISOString();
  // Started if it is not running (a lead whose workflow ended): it answers as for a new capture.
  const start: LeadWorkflowInput = {
    leadId: stored.leadId,
    businessId: input.businessId,
    lead: { ...lead, consent: { ...lead.consent, at: receivedAt } },
    capturedAt: receivedAt,
  };
  await leads.deliverInbound(start, {
    leadId: stored.leadId,
    messageId: stored.messageId,
    text: stored.body,
    receivedAt,
  });
  return { leadId: stored.leadId, duplicate: stored.duplicate, createdLead: false };
}
