import { randomUUID } from 'node:crypto';
import type { LeadCodec } from '../../codec/lead-data-converter';
import { recordEvent } from '../../db/event-log';
import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { suppressionHmacs, type PrivacyKeys } from '../../domain/crypto/privacy-keys';
import type { CapturedLead, LeadWorkflowInput, MissedCall } from '../../workflows/lead/definitions';
import { captureLead } from './capture-lead';
import type { LeadWorkflowClient } from './lead-workflow-client';

/** Twilio's DialCallStatus values that mean nobody picked up (`canceled`: the caller hung up while it rang). */
export const MISSED_DIAL_STATUSES = ['no-answer', 'busy', 'failed', 'canceled'] as const;

export interface MissedCallInput {
  businessId: string;
  /** The caller, E.164. */
  from: string;
  /** Twilio's CallSid: a retried callback for the same call texts once. */
  callSid: string;
  /** Why it counts as missed: a DialCallStatus, or `no_forwarding` when the business has no phone to ring. */
  reason: (typeof MISSED_DIAL_STATUSES)[number] | 'no_forwarding';
  at: Date;
}

export type MissedCallResult =
  | { outcome: 'texting'; leadId: string; createdLead: boolean; duplicate: boolean }
  | { outcome: 'suppressed'; leadId: string | null };

export interface MissedCallDeps {
  db: Db;
  leads: LeadWorkflowClient;
  leadCodec: LeadCodec | null;
  /** Finds an erased person's opt-out, kept only as a keyed hash of the number. */
  privacyKeys?: Pick<PrivacyKeys, 'keyring'> | null;
}

const CALL_CONSENT = 'Phone call to the business number';

/**
 * A call the business could not answer: the caller's lead (a new one with source
 * `missed_call`, or the one they already are) is signalled, and its workflow texts back.
 * The call is logged by its CallSid (an id, never the number), so Twilio's retries find it;
 * the workflow takes each CallSid once as well. A number that opted out is not texted, and
 * becomes no lead.
 */
export async function receiveMissedCall(deps: MissedCallDeps, input: MissedCallInput): Promise<MissedCallResult> {
  const { businessId, from, callSid } = input;
  const phones = [from, ...(deps.privacyKeys ? suppressionHmacs(deps.privacyKeys, businessId, from) : [])];
  const known = await withTenant(deps.db, businessId, async (tx) => {
    const business = await tx.business.findUniqueOrThrow({
      where: { id: businessId },
      select: { missedCallReplyAtNight: true },
    });
    const earlier = await tx.eventLog.findFirst({
      where: { event: 'missed_call', detail: { path: ['callSid'], equals: callSid } },
      select: { leadId: true, detail: true },
    });
    const suppressed = (await tx.suppression.count({ where: { phone: { in: phones } } })) > 0;
    const lead = await tx.lead.findFirst({
      where: { phone: from, erasedAt: null, status: { not: 'retention_deleted' } },
      orderBy: { createdAt: 'desc' },
      select: { id: true },
    });
    const leadId = earlier?.leadId ?? lead?.id ?? null;
    if (!earlier && (lead || suppressed)) {
      await recordEvent(tx, {
        businessId,
        leadId,
        category: 'sms_delivery',
        event: 'missed_call',
        detail: { callSid, reason: input.reason, suppressed },
      });
      if (lead && !suppressed) await tx.lead.update({ where: { id: lead.id }, data: { lastActivityAt: input.at } });
    }
    return { leadId, suppressed, duplicate: earlier !== null, replyAtNight: business.missedCallReplyAtNight };
  });
  if (known.suppressed) return { outcome: 'suppressed', leadId: known.leadId };

  const at = input.at.toISOString();
  const lead: CapturedLead = {
    name: '',
    phone: from,
    source: 'missed_call',
    // Calling the business is asking to be answered about that call (PRODUCT.md, "Missed calls").
    consent: { text: CALL_CONSENT, at, method: 'call' },
  };
  const call = (leadId: string): MissedCall => ({ leadId, callSid, at, replyAtNight: known.replyAtNight });

  if (known.leadId) {
    // Started if it is not running (a lead whose workflow ended): it answers as for a new capture.
    const start: LeadWorkflowInput = { leadId: known.leadId, businessId, lead, capturedAt: at };
    await deps.leads.deliverMissedCall(start, call(known.leadId));
    return { outcome: 'texting', leadId: known.leadId, createdLead: false, duplicate: known.duplicate };
  }

  // The lead row is written before the workflow starts: a retry of this callback finds it by the number.
  const leadId = randomUUID();
  await captureLead(
    { db: deps.db, leads: deps.leads, leadCodec: deps.leadCodec },
    { businessId, lead, capturedAt: input.at, leadId, missedCall: call(leadId) },
  );
  await withTenant(deps.db, businessId, (tx) =>
    recordEvent(tx, {
      businessId,
      leadId,
      category: 'sms_delivery',
      event: 'missed_call',
      detail: { callSid, reason: input.reason, suppressed: false },
    }),
  );
  return { outcome: 'texting', leadId, createdLead: true, duplicate: false };
}
