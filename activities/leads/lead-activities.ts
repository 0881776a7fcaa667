import { LEAD_INTAKE_PARAMS, leadIntakeValues } from '../../db/lead-intake';
import type { Db } from '../../db/prisma';
import { sql } from '../../db/sql';
import { withTenant } from '../../db/tenant';
import { suppressionHmacs, type PrivacyKeys } from '../../domain/crypto/privacy-keys';
import { isActiveSubscription } from '../../domain/account-lifecycle';
import { retentionDays, type RetentionOverrides } from '../../domain/retention';
import type { CapturedLead, LeadStatus } from '../../workflows/lead/definitions';
import type { Logger } from '../../logging/logger';
import type { SmsProvider } from '../../providers/sms/sms-provider';
import { writeDeletionReceipt } from '../../db/deletion-receipts';
import { leadTimeZone } from './lead-time-zone';
import { detectLanguage, isLanguage, type Language } from '../../domain/language';

export interface LeadContext {
  timeZone: string;
  cadenceMinutes: number[];
  messagingRetentionDays: number;
  automationActive: boolean;
  legalHold: boolean;
  /** The capture's language, else the one its message is written in, else the business's default. */
  language: Language;
}

export function createLeadActivities({
  db,
  log,
  sms,
  privacyKeys,
}: {
  db: Db;
  log: Logger;
  sms: SmsProvider;
  privacyKeys?: Pick<PrivacyKeys, 'keyring'> | null;
}) {
  return {
    /** The lead recorded (recordLeadRow below). */
    async recordLead(input: RecordLeadInput): Promise<LeadContext> {
      return recordLeadRow(db, input);
    },

    async saveLeadStatus(input: {
      businessId: string;
      leadId: string;
      status: LeadStatus;
      aiPaused?: boolean;
    }): Promise<void> {
      await withTenant(db, input.businessId, (tx) =>
        tx.lead.updateMany({
          where: { id: input.leadId },
          data: { status: input.status, ...(input.aiPaused === undefined ? {} : { aiPaused: input.aiPaused }) },
        }),
      );
    },

    /** A lead asked for a person. The business is told through its own channels (here: the log, by id only). */
    async notifyBusiness(input: { businessId: string; leadId: string; reason: 'handoff_requested' }): Promise<void> {
      log.info({ businessId: input.businessId, leadId: input.leadId, event: input.reason }, 'lead needs a person');
    },

    async setSuppression(input: {
      businessId: string;
      leadId: string;
      suppressed: boolean;
      reason: string;
    }): Promise<void> {
      await withTenant(db, input.businessId, async (tx) => {
        const lead = await tx.lead.findUniqueOrThrow({ where: { id: input.leadId }, select: { phone: true } });
        if (input.suppressed) {
          await tx.suppression.upsert({
            where: { businessId_phone: { businessId: input.businessId, phone: lead.phone } },
            create: { businessId: input.businessId, phone: lead.phone, reason: input.reason },
            update: {},
          });
        } else {
          // START lifts the opt-out, also one kept as a hash from an erased earlier lead.
          const hashed = privacyKeys ? suppressionHmacs(privacyKeys, input.businessId, lead.phone) : [];
          await tx.suppression.deleteMany({ where: { phone: { in: [lead.phone, ...hashed] } } });
        }
      });
    },

    /**
     * Messaging logs of one lead, 24 months after its last activity: the carrier's copies
     * first (so a crash leaves rows to retry from, never orphans at the carrier), then the
     * database rows (texts and emails), then a receipt that holds no personal data.
     */
    async deleteMessagingLogs(input: {
      businessId: string;
      leadId: string;
      cause: string;
    }): Promise<{ held: boolean; messages: number; providerMessages: number; receiptId: string | null }> {
      const pending = await withTenant(db, input.businessId, async (tx) => {
        const lead = await tx.lead.findUnique({
          where: { id: input.leadId },
          select: { legalHoldAt: true, business: { select: { legalHoldAt: true } } },
        });
        if (!lead) return { held: false, providerIds: [] as string[] };
        if (lead.legalHoldAt || lead.business.legalHoldAt) return { held: true, providerIds: [] };
        const rows = await tx.message.findMany({
          where: { leadId: input.leadId, provider: sms.name, providerId: { not: null } },
          select: { providerId: true },
        });
        return { held: false, providerIds: rows.map((r) => r.providerId!) };
      });
      // A hold placed in the database before its signal reached the workflow still wins.
      if (pending.held) return { held: true, messages: 0, providerMessages: 0, receiptId: null };
      for (const providerId of pending.providerIds) await sms.deleteMessage(providerId);
      const { messages, emails } = await withTenant(db, input.businessId, async (tx) => {
        const { count } = await tx.message.deleteMany({ where: { leadId: input.leadId } });
        const deletedEmails = await tx.email.deleteMany({ where: { leadId: input.leadId } });
        await tx.lead.updateMany({ where: { id: input.leadId }, data: { message: null, status: 'retention_deleted' } });
        return { messages: count, emails: deletedEmails.count };
      });
      const counts = {
        messages,
        provider_messages: sms.name === 'local' ? 0 : pending.providerIds.length,
        ...(emails ? { emails } : {}),
      };
      const receipt = await writeDeletionReceipt(db, {
        businessId: input.businessId,
        subjectId: input.leadId,
        cause: input.cause,
        counts,
      });
      return { held: false, messages, providerMessages: counts.provider_messages, receiptId: receipt.id };
    },
  };
}

export interface RecordLeadInput {
  leadId: string;
  businessId: string;
  lead: CapturedLead;
  capturedAt: string;
  dataKeyId?: string;
}

/** What leadflow_record_lead answers: the business's settings the workflow plans with, and the lead's hold. */
export interface RecordedLead {
  timeZone: string;
  cadence: number[];
  overrides: RetentionOverrides | null;
  subscriptionStatus: string;
  held: boolean;
  defaultLanguage: string;
  leadHeld: boolean;
}

/** recordLead as one call that sets its own tenant (prisma/migrations/20261204180000_lead_intake_in_one_call). */
const RECORD_LEAD = `SELECT * FROM leadflow_record_lead(${LEAD_INTAKE_PARAMS})`;

/** The parameters of RECORD_LEAD, and the first sixteen of leadflow_record_lead_and_read. */
export const recordLeadValues = (input: RecordLeadInput) =>
  leadIntakeValues({ ...input, capturedAt: new Date(input.capturedAt) });

/**
 * The workflow is the intake: the API hands the capture to Temporal and this persists it,
 * retried until Postgres answers. Upsert, so a retry after a lost reply is harmless. Returns
 * what the workflow plans with. Every new lead runs this: plain SQL, one call (db/sql.ts,
 * db/lead-intake.ts say why). The row is usually there already (capture wrote it): then it
 * is read, not inserted again; the key the API took from its pool (maybe while Postgres was
 * down) names its lead in the same statement as the lead row, so erasure finds it.
 */
export async function recordLeadRow(db: Db, input: RecordLeadInput): Promise<LeadContext> {
  const [recorded] = await sql<RecordedLead>(db, RECORD_LEAD, recordLeadValues(input));
  return leadContext(input, recorded);
}

/** What the workflow plans with, from what recording answered (nothing: the business does not exist). */
export async function leadContext(input: RecordLeadInput, business: RecordedLead | undefined): Promise<LeadContext> {
  const { lead } = input;
  if (!business) throw new Error('the lead’s business does not exist');
  const leadHeld = business.leadHeld;
  return {
    timeZone: await leadTimeZone(lead.phone, business.timeZone),
    cadenceMinutes: business.cadence,
    messagingRetentionDays: retentionDays('messaging_logs', business.overrides ?? {}),
    automationActive: isActiveSubscription(business.subscriptionStatus),
    legalHold: business.held || leadHeld,
    language:
      lead.language ??
      detectLanguage(lead.message) ??
      (isLanguage(business.defaultLanguage) ? business.defaultLanguage : 'en'),
  };
}
