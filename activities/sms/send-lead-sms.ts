import { readableBody } from '../../db/messages';
import type { Db } from '../../db/prisma';
import { isUniqueViolation, withTenantSql, type SqlClient } from '../../db/sql';
import type { NoteKind, TemplateContext } from '../../domain/sms-templates';
import { fixedTextsIn } from '../../domain/sms-templates-by-language';
import type { Language } from '../../domain/language';
import type { Logger } from '../../logging/logger';
import type { AiWriter, ReplyPurpose } from '../../providers/ai/ai-writer';
import { checkReply } from '../../domain/reply-check';
import { SmsPermanentError, type SmsProvider } from '../../providers/sms/sms-provider';
import type { LeadStatus } from '../../workflows/lead/definitions';
import { suppressionHmacs, type PrivacyKeys } from '../../domain/crypto/privacy-keys';
import { isActiveSubscription } from '../../domain/account-lifecycle';
import { recordEventSql as recordEvent, type EventRecord } from '../../db/event-log';
import { businessFacts, createServicesCache, type FactsSource } from './business-facts';
import { formatSlot } from '../booking/slot-format';

export type SendKind =
  | 'first_reply'
  | 'follow_up'
  | 'reply'
  | 'confirmation'
  | 'reminder'
  | 'opt_out_confirmation'
  | 'opt_in_confirmation'
  | 'help'
  | 'manual';

export interface SendLeadSmsInput {
  /** Workflow id + step: the same step never texts the lead twice. */
  idempotencyKey: string;
  businessId: string;
  leadId: string;
  kind: SendKind;
  /** Workflow time of the send: the lead's last activity, as the workflow counts it. */
  at: string;
  /** The lead's status to record with the send. */
  status?: LeadStatus;
  /** Written by a person (manual); otherwise composed here. */
  body?: string;
  purpose?: ReplyPurpose;
  note?: NoteKind;
  /** Slot starts (ISO) or labels the reply may name. */
  offeredSlots?: string[];
  /** The lead's language; English when absent. */
  language?: Language;
  /** A job update's technician (first name texted) and ETA. */
  job?: { technicianName?: string; etaMinutes?: number };
  /** An invoice text's hosted link and amount; review texts take the business's review link themselves. */
  invoice?: { link: string; amountCents: number };
}

export type SendOutcome =
  | { status: 'sent'; messageId: string }
  | { status: 'suppressed' | 'restricted' | 'paused'; messageId: null }
  /** The business has no sender number and the carrier has no default sender: held, not failed. */
  | { status: 'no_sender'; messageId: null }
  /** A review text for a business without a review link: nothing to ask for. */
  | { status: 'no_link'; messageId: null }
  | { status: 'failed'; messageId: string; code: string };

/** An attempt younger than this may still be talking to the carrier (the activity's start-to-close timeout). */
const IN_FLIGHT_MS = 45_000;

/** Automated kinds stop while the subscription is inactive; answers to keywords never do. */
const AUTOMATED: ReadonlySet<SendKind> = new Set(['first_reply', 'follow_up', 'reply', 'confirmation', 'reminder']);

export interface SendDeps {
  db: Db;
  sms: SmsProvider;
  ai: AiWriter | null;
  templates: AiWriter;
  log: Logger;
  /** Without it only numbers in clear are checked (erasure cannot run without it either). */
  privacyKeys?: Pick<PrivacyKeys, 'keyring'> | null;
}

/** The outbox row as the send path reads it. */
interface OutboxRow {
  id: string;
  body: string;
  status: string;
  providerId: string | null;
  errorCode: string | null;
  createdAt: Date;
}

const OUTBOX = `id, body, status, provider_id AS "providerId", error_code AS "errorCode", created_at AS "createdAt"`;

interface LeadForSend {
  name: string;
  phone: string;
  restricted: boolean;
  objected: boolean;
  marketingOptOut: boolean;
}

interface BusinessForSend extends FactsSource {
  timeZone: string;
  smsNumber: string | null;
  contactPhone: string | null;
  contactEmail: string | null;
  aiEnabled: boolean;
  subscriptionStatus: string;
  reviewUrl: string | null;
}

const REVIEW_NOTES: ReadonlySet<string> = new Set(['review_request', 'review_reminder']);
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/**
 * The business and its services in one statement: what replies are written from. The
 * services only when the row's version (xmin) is not $2, the one this process holds them
 * for (business-facts.ts: createServicesCache).
 */
const BUSINESS_FOR_SEND = `
  SELECT b.name, b.bot_name AS "botName", b.time_zone AS "timeZone", b.sms_number AS "smsNumber",
         b.contact_phone AS "contactPhone", b.contact_email AS "contactEmail", b.business_hours AS "businessHours",
         b.facts, b.ai_enabled AS "aiEnabled", b.subscription_status AS "subscriptionStatus", b.review_url AS "reviewUrl",
         b.xmin::text AS version, CASE WHEN b.xmin::text IS NOT DISTINCT FROM $2::text THEN NULL ELSE
         COALESCE((SELECT json_agg(json_build_object('name', s.name, 'durationMinutes', s.duration_minutes, 'priceCents', s.price_cents,
                                                     'priceNote', s.price_note, 'active', s.active) ORDER BY s.created_at, s.id)
                   FROM services s WHERE s.business_id = b.id), '[]'::json) END AS services
    FROM businesses b WHERE b.id = $1`;

async function one<R>(c: SqlClient, text: string, values: unknown[], what: string): Promise<R> {
  const row = (await c.query(text, values)).rows[0] as R | undefined;
  if (!row) throw new Error(`${what} not found`);
  return row;
}

export function createSendActivities(deps: SendDeps) {
  const { db, sms, log } = deps;
  const servicesCache = createServicesCache();

  async function compose(
    input: SendLeadSmsInput,
    lead: { name: string; objected: boolean },
    business: BusinessForSend,
    history: Array<{ direction: string; body: string }>,
    /** What the AI did, logged with the outbox row (event_logs, ids and codes only). */
    events: EventRecord[],
  ) {
    const ctx: TemplateContext = {
      businessName: business.name,
      botName: business.botName,
      contactPhone: business.contactPhone,
      contactEmail: business.contactEmail,
      when: input.offeredSlots?.[0] ? formatSlot(input.offeredSlots[0], business.timeZone, input.language) : undefined,
      technician: input.job?.technicianName?.trim().split(/\s+/)[0] || undefined,
      etaMinutes: input.job?.etaMinutes,
      services: business.services.filter((s) => s.active).map((s) => s.name),
      link:
        input.invoice?.link ??
        (input.note && REVIEW_NOTES.has(input.note) ? (business.reviewUrl ?? undefined) : undefined),
      amount: input.invoice ? usd.format(input.invoice.amountCents / 100) : undefined,
    };
    const { OPT_OUT_CONFIRMATION, OPT_IN_CONFIRMATION, HELP, BOOKING_CONFIRMED, REMINDER, NOTES } = fixedTextsIn(
      input.language,
    );
    const fixed = (text: string) => ({ body: text, aiModel: null, promptVersion: null });
    switch (input.kind) {
      case 'manual':
        return fixed(input.body!);
      case 'opt_out_confirmation':
        return fixed(OPT_OUT_CONFIRMATION(ctx));
      case 'opt_in_confirmation':
        return fixed(OPT_IN_CONFIRMATION(ctx));
      case 'help':
        return fixed(HELP(ctx));
      case 'confirmation':
        return fixed(BOOKING_CONFIRMED(ctx));
      case 'reminder':
        return fixed(REMINDER(ctx));
      default:
        if (input.note) return fixed(NOTES[input.note](ctx));
    }

    const facts = businessFacts(business);
    const request = {
      purpose: input.purpose ?? 'answer',
      facts,
      leadFirstName: lead.name.trim().split(/\s+/)[0] || undefined,
      conversation: history.map((m) => ({
        from: m.direction === 'inbound' ? ('lead' as const) : ('business' as const),
        text: m.body,
      })),
      offeredSlots: input.offeredSlots,
      mustIncludeOptOut: input.kind === 'first_reply',
      language: input.language,
    };
    const check = { facts, offeredSlots: input.offeredSlots ?? [], isFirstMessage: input.kind === 'first_reply' };
    // An objection to AI processing, or AI switched off, means templates only.
    if (deps.ai && business.aiEnabled && !lead.objected) {
      const started = Date.now();
      const ids = { businessId: input.businessId, leadId: input.leadId };
      try {
        const reply = await deps.ai.writeReply(request);
        const verdict = checkReply(reply.text, check);
        const detail = {
          model: reply.model,
          promptVersion: reply.promptVersion,
          latencyMs: Date.now() - started,
          purpose: request.purpose,
          kind: input.kind,
        };
        if (verdict.ok) {
          events.push({ ...ids, category: 'ai', event: 'reply_written', detail });
          return { body: reply.text, aiModel: reply.model, promptVersion: reply.promptVersion };
        }
        events.push({
          ...ids,
          category: 'ai',
          event: 'reply_rejected',
          detail: { ...detail, reasons: verdict.problems },
        });
        log.warn(
          { businessId: input.businessId, leadId: input.leadId, reasons: verdict.problems },
          'AI reply failed the check; using a template',
        );
      } catch (err) {
        events.push({
          ...ids,
          category: 'error',
          event: 'ai_unavailable',
          detail: { errType: (err as Error)?.name ?? 'unknown', latencyMs: Date.now() - started },
        });
        log.warn(
          { businessId: input.businessId, leadId: input.leadId, errType: (err as Error)?.name },
          'AI reply unavailable; using a template',
        );
      }
    }
    const reply = await deps.templates.writeReply(request);
    return { body: reply.text, aiModel: null, promptVersion: reply.promptVersion };
  }

  return {
    /**
     * Outbox first, carrier second: the row exists before the carrier is called, so a
     * retry finds it and never texts the lead twice. Refuses, whatever the workflow
     * asked, a number that opted out, a restricted lead, or automation for an inactive
     * account.
     */
    async sendLeadSms(input: SendLeadSmsInput): Promise<SendOutcome> {
      const prepared = await withTenantSql(db, input.businessId, async (c) => {
        const existing =
          (
            await c.query<OutboxRow>(`SELECT ${OUTBOX} FROM messages WHERE business_id = $1 AND idempotency_key = $2`, [
              input.businessId,
              input.idempotencyKey,
            ])
          ).rows[0] ?? null;
        if (existing?.providerId) return { done: { status: 'sent', messageId: existing.id } as SendOutcome };
        if (existing?.status === 'failed')
          return {
            done: { status: 'failed', messageId: existing.id, code: existing.errorCode ?? 'unknown' } as SendOutcome,
          };
        const lead = await one<LeadForSend>(
          c,
          'SELECT name, phone, restricted, objected, marketing_opt_out AS "marketingOptOut" FROM leads WHERE id = $1 AND business_id = $2',
          [input.leadId, input.businessId],
          'lead',
        );
        const cached = servicesCache.get(input.businessId);
        const read = await one<
          Omit<BusinessForSend, 'services'> & { version: string; services: FactsSource['services'] | null }
        >(c, BUSINESS_FOR_SEND, [input.businessId, cached?.version ?? null], 'business');
        if (read.services) servicesCache.put(input.businessId, read.version, read.services);
        const business: BusinessForSend = { ...read, services: read.services ?? cached!.services };
        // An erased person's opt-out is kept as a keyed hash of the number: the same number
        // captured again is refused as surely as one suppressed in clear.
        const phones = [
          lead.phone,
          ...(deps.privacyKeys && lead.phone ? suppressionHmacs(deps.privacyKeys, input.businessId, lead.phone) : []),
        ];
        const suppressed =
          (
            await c.query('SELECT 1 FROM suppressions WHERE business_id = $1 AND phone = ANY($2) LIMIT 1', [
              input.businessId,
              phones,
            ])
          ).rowCount! > 0;
        // The one text a carrier expects after STOP is its confirmation.
        if (suppressed && input.kind !== 'opt_out_confirmation')
          return { done: { status: 'suppressed', messageId: null } as SendOutcome };
        if (lead.restricted && input.kind !== 'opt_out_confirmation' && input.kind !== 'help')
          return { done: { status: 'restricted', messageId: null } as SendOutcome };
        // Objection and marketing opt-out end follow-ups even if a workflow still planned one.
        if (input.kind === 'follow_up' && (lead.objected || lead.marketingOptOut))
          return { done: { status: 'restricted', messageId: null } as SendOutcome };
        if (AUTOMATED.has(input.kind) && !isActiveSubscription(business.subscriptionStatus))
          return { done: { status: 'paused', messageId: null } as SendOutcome };
        if (input.note && REVIEW_NOTES.has(input.note) && !business.reviewUrl)
          return { done: { status: 'no_link', messageId: null } as SendOutcome };
        // Nothing to send from: the lead waits for a number instead of failing for good.
        if (!business.smsNumber && sms.needsSender)
          return { done: { status: 'no_sender', messageId: null } as SendOutcome };
        const history = existing
          ? []
          : (
              await c.query<{ direction: string; kind: string; body: string }>(
                'SELECT direction, kind, body FROM messages WHERE business_id = $1 AND lead_id = $2 ORDER BY created_at ASC, id ASC LIMIT 30',
                [input.businessId, input.leadId],
              )
            ).rows.map((m) => ({ direction: m.direction, body: readableBody(m) }));
        return { done: null, existing, lead, business, history };
      });
      if (prepared.done) return prepared.done;
      const { lead, business } = prepared;

      // Composition may wait on the AI: outside any transaction.
      let created = false;
      const row =
        prepared.existing ??
        (await (async () => {
          const events: EventRecord[] = [];
          const composed = await compose(input, lead, business, prepared.history, events);
          try {
            const made = await withTenantSql(db, input.businessId, async (c) => {
              const message = await one<OutboxRow>(
                c,
                `INSERT INTO messages (id, business_id, lead_id, direction, kind, body, status, provider, idempotency_key, ai_model, prompt_version)
                 VALUES (gen_random_uuid(), $1, $2, 'outbound', $3, $4, 'sending', $5, $6, $7, $8) RETURNING ${OUTBOX}`,
                [
                  input.businessId,
                  input.leadId,
                  input.kind,
                  composed.body,
                  sms.name,
                  input.idempotencyKey,
                  composed.aiModel,
                  composed.promptVersion,
                ],
                'outbox row',
              );
              for (const e of events) await recordEvent(c, { ...e, detail: { ...e.detail, messageId: message.id } });
              return message;
            });
            created = true;
            return made;
          } catch (err) {
            // The unique outbox key: another attempt of this step wrote the row first.
            if (!isUniqueViolation(err)) throw err;
            return withTenantSql(db, input.businessId, (c) =>
              one<OutboxRow>(
                c,
                `SELECT ${OUTBOX} FROM messages WHERE business_id = $1 AND idempotency_key = $2`,
                [input.businessId, input.idempotencyKey],
                'outbox row',
              ),
            );
          }
        })());
      if (row.providerId) return { status: 'sent', messageId: row.id };
      if (!created && row.status === 'sending' && Date.now() - row.createdAt.getTime() < IN_FLIGHT_MS) {
        // Another attempt is sending this very step right now: let Temporal retry this
        // one later, when the row shows how that attempt ended.
        throw new Error('this step is being sent by another attempt; retrying later');
      }
      const to = lead.phone;
      const from = business.smsNumber;

      try {
        // A previous attempt may have reached the carrier and crashed before recording it.
        const earlier = !created
          ? await sms.findSent({ from, to, body: row.body, since: new Date(row.createdAt.getTime() - 5_000) })
          : null;
        const sent = earlier ?? (await sms.send({ from, to, body: row.body, clientRef: row.id }));
        await withTenantSql(db, input.businessId, async (c) => {
          // sentAt is when the carrier took it (speed-to-lead is measured from it), not workflow time.
          await c.query(
            'UPDATE messages SET provider_id = $3, status = $4, sent_at = $5 WHERE business_id = $1 AND id = $2',
            [input.businessId, row.id, sent.providerId, sent.status, new Date()],
          );
          await recordEvent(c, {
            businessId: input.businessId,
            leadId: input.leadId,
            category: 'sms_delivery',
            event: 'sent',
            detail: {
              messageId: row.id,
              status: sent.status,
              kind: input.kind,
              provider: sms.name,
              recovered: earlier !== null,
            },
          });
          await c.query(
            'UPDATE leads SET last_activity_at = $3, status = COALESCE($4, status), updated_at = now() WHERE business_id = $1 AND id = $2',
            [input.businessId, input.leadId, new Date(input.at), input.status ?? null],
          );
        });
        return { status: 'sent', messageId: row.id };
      } catch (err) {
        if (!(err instanceof SmsPermanentError)) {
          // Transient, or an answer lost on the way back: the carrier may have the text.
          // Marked so the retry asks the carrier before sending again.
          await withTenantSql(db, input.businessId, async (c) => {
            await c.query(
              "UPDATE messages SET status = 'unknown' WHERE business_id = $1 AND id = $2 AND provider_id IS NULL",
              [input.businessId, row.id],
            );
            await recordEvent(c, {
              businessId: input.businessId,
              leadId: input.leadId,
              category: 'error',
              event: 'send_error',
              detail: { messageId: row.id, errType: (err as Error)?.name ?? 'unknown', provider: sms.name },
            });
          }).catch(() => {});
          throw err;
        }
        await withTenantSql(db, input.businessId, async (c) => {
          await c.query("UPDATE messages SET status = 'failed', error_code = $3 WHERE business_id = $1 AND id = $2", [
            input.businessId,
            row.id,
            err.code,
          ]);
          await recordEvent(c, {
            businessId: input.businessId,
            leadId: input.leadId,
            category: 'error',
            event: 'send_failed',
            detail: { messageId: row.id, code: err.code, providerCode: err.providerCode ?? null, provider: sms.name },
          });
          if (err.code === 'unsubscribed_recipient') {
            await c.query(
              "INSERT INTO suppressions (id, business_id, phone, reason) VALUES (gen_random_uuid(), $1, $2, 'carrier') ON CONFLICT (business_id, phone) DO NOTHING",
              [input.businessId, to],
            );
          }
          await c.query('UPDATE leads SET status = $3, updated_at = now() WHERE business_id = $1 AND id = $2', [
            input.businessId,
            input.leadId,
            err.code === 'unsubscribed_recipient' ? 'opted_out' : 'failed',
          ]);
        });
        log.warn(
          { businessId: input.businessId, leadId: input.leadId, code: err.code, providerCode: err.providerCode },
          'SMS permanently refused',
        );
        return err.code === 'unsubscribed_recipient'
          ? { status: 'suppressed', messageId: null }
          : { status: 'failed', messageId: row.id, code: err.code };
      }
    },
  };
}
