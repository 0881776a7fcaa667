import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/prisma';
import { withTenant } from '../db/tenant';
import { isOptOutKeyword } from '../domain/intent-rules';
import { TASK_QUEUES } from '../temporal.config';
import type { leadWorkflow } from '../workflows/lead/lead-workflow';
import { inboundSmsSignal, leadWorkflowId, type LeadWorkflowInput } from '../workflows/lead/definitions';
import { BUSINESS_ID, LEAD_STATUS } from '../workflows/search-attributes';

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

/**
 * An inbound text reaches its lead's workflow. The row is written first (a retry of the
 * same MessageSid finds it and stops), a carrier opt-out keyword suppresses the number
 * before anything else can run (so no send slips out after STOP), then the workflow is
 * signalled — started, if the sender is new to this business: texting a business makes
 * you a lead.
 */
export async function receiveInboundSms(
  deps: { db: Db; temporal: Client; taskQueue?: string },
  input: InboundSmsInput,
): Promise<InboundResult> {
  const { db, temporal } = deps;
  const stored = await withTenant(db, input.businessId, async (tx) => {
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
        createdLead: false,
        messageId: duplicate.id,
        body: duplicate.body,
        receivedAt: duplicate.createdAt,
      };
    const lead = await tx.lead.findFirst({
      where: { phone: input.from, erasedAt: null, status: { not: 'retention_deleted' } },
      orderBy: { createdAt: 'desc' },
      select: { id: true },
    });
    const leadId = lead?.id ?? randomUUID();
    if (!lead) {
      await tx.lead.create({
        data: {
          id: leadId,
          businessId: input.businessId,
          phone: input.from,
          name: '',
          source: 'sms',
          createdAt: input.receivedAt,
          lastActivityAt: input.receivedAt,
        },
      });
      // Texting the business first is consent to be answered about that request.
      await tx.consentRecord.create({
        data: {
          businessId: input.businessId,
          leadId,
          consentText: 'Inbound text message to the business number',
          capturedAt: input.receivedAt,
          method: 'sms',
        },
      });
    }
    const message = await tx.message.create({
      data: {
        businessId: input.businessId,
        leadId,
        direction: 'inbound',
        kind: 'inbound',
        body: input.body,
        status: 'received',
        provider: input.provider,
        providerId: input.providerId,
        createdAt: input.receivedAt,
      },
    });
    await tx.lead.update({ where: { id: leadId }, data: { lastActivityAt: input.receivedAt } });
    if (isOptOutKeyword(input.body)) {
      await tx.suppression.upsert({
        where: { businessId_phone: { businessId: input.businessId, phone: input.from } },
        create: { businessId: input.businessId, phone: input.from, reason: 'keyword' },
        update: {},
      });
    }
    return {
      leadId,
      duplicate: false,
      createdLead: !lead,
      messageId: message.id,
      body: input.body,
      receivedAt: input.receivedAt,
    };
  });

  const signal = {
    leadId: stored.leadId,
    messageId: stored.messageId,
    text: stored.body,
    receivedAt: stored.receivedAt.toISOString(),
  };
  const start: LeadWorkflowInput = {
    leadId: stored.leadId,
    businessId: input.businessId,
    lead: {
      name: '',
      phone: input.from,
      source: 'sms',
      consent: { text: 'Inbound text message to the business number', at: signal.receivedAt, method: 'sms' },
    },
    capturedAt: signal.receivedAt,
  };
  await temporal.workflow.signalWithStart<typeof leadWorkflow, [typeof signal]>('leadWorkflow', {
    workflowId: leadWorkflowId(stored.leadId),
    taskQueue: deps.taskQueue ?? TASK_QUEUES.leads,
    args: [start],
    signal: inboundSmsSignal,
    signalArgs: [signal],
    typedSearchAttributes: [
      { key: BUSINESS_ID, value: input.businessId },
      { key: LEAD_STATUS, value: 'new' },
    ],
    memo: { label: `Lead ${stored.leadId.slice(0, 8)}` },
  });
  return { leadId: stored.leadId, duplicate: stored.duplicate, createdLead: stored.createdLead };
}
