import { readableBody } from '../../db/messages';
import type { Db } from '../../db/prisma';
import { isUniqueViolation, pooled, prepared, sql, withTenantSql, type SqlClient } from '../../db/sql';
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
 * The send's statements are Postgres functions that set their own tenant
 * (prisma/migrations/20261204120000_send_in_one_call): one round trip each, where a
 * transaction took three (each costs the worker a socket write and Postgres a wake-up:
 * bench/RESULTS.md). Inside a caller's tenant transaction they run in it.
 *
 * READ_FOR_SEND: everything a send decides from in one statement — the step's outbox row, the
 * lead, the business with its services (only when the row's version, xmin, is not $4, the one
 * this process holds them for: business-facts.ts createServicesCache), the conversation so
 * far, and whether the lead's number, or one of $5 (the keyed hashes of the number the caller
 * expects), is suppressed.
 */
const READ_FOR_SEND = 'SELECT * FROM leadflow_send_read($1, $2, $3, $4, $5)';
/** Whether one of $2 (another number's keyed hashes) is suppressed. */
const SUPPRESSED = 'SELECT leadflow_send_suppressed($1, $2) AS suppressed';
/** The outbox row in, the step's event logs with it ($9: [{category, event, detail}]). */
const INSERT_OUTBOX = 'SELECT * FROM leadflow_send_outbox($1, $2, $3, $4, $5, $6, $7, $8, $9)';
/** The carrier took it: the outbox row, its delivery log and the lead's last activity. */
const MARK_SENT = 'SELECT leadflow_send_mark_sent($1, $2, $3, $4, $5, $6, $7, $8, $9)';

/** What READ_FOR_SEND answers, as JSON (dates as strings). */
export interface ReadForSend {
  existing: (Omit<OutboxRow, 'createdAt'> & { createdAt: string }) | null;
  lead: LeadForSend | null;
  business: (Omit<BusinessForSend, 'services'> & { version: string; services: FactsSource['services'] | null }) | null;
  history: Array<{ direction: string; kind: string; body: string }>;
  suppressed: boolean;
}

/** Read and checked, not yet composed: either the outcome already, or what composing and sending need. */
export type PreparedSend =
  | { done: SendOutcome }
  | {
      done: null;
      existing: OutboxRow | null;
      lead: LeadForSend;
      business: BusinessForSend;
      history: Array<{ direction: string; body: string }>;
    };

async function one<R>(c: SqlClient, text: string, values: unknown[], what: string): Promise<R> {
  const row = (await c.query(prepared(text, values))).rows[0] as R | undefined;
  if (!row) throw new Error(`${what} not found`);
  return row;
}

export type Sender = ReturnType<typeof createSender>;

export function createSender(deps: SendDeps) {
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

  const hashesOf = (businessId: string, number: string) =>
    deps.privacyKeys && number ? suppressionHmacs(deps.privacyKeys, businessId, number) : [];

  /**
   * What the send's read is asked with besides the business, the step and the lead: the
   * version of the business's services this process holds, and the keyed hashes of `phone`.
   */
  function readFor(businessId: string, phone?: string) {
    const cached = servicesCache.get(businessId);
    return { cached, values: [cached?.version ?? null, phone ? hashesOf(businessId, phone) : []] };
  }

  /**
   * The send's reads and checks, in the caller's tenant transaction. `phone`: the number the
   * caller expects the lead to have (recording the lead just wrote it), so its keyed hashes
   * are checked in the same statement; a lead whose number is another is checked again.
   */
  async function prepare(c: SqlClient, input: SendLeadSmsInput, phone?: string): Promise<PreparedSend> {
    const asked = readFor(input.businessId, phone);
    const read = (
      await c.query<ReadForSend>(
        prepared(READ_FOR_SEND, [input.businessId, input.idempotencyKey, input.leadId, ...asked.values]),
      )
    ).rows[0]!;
    return check(c, input, read, asked.cached, phone);
  }

  /** The checks of a send on what its read answered (`prepare`, or a caller's call that read it with its own statement). */
  async function check(
    c: SqlClient,
    input: SendLeadSmsInput,
    read: ReadForSend,
    cached: ReturnType<typeof servicesCache.get>,
    phone?: string,
  ): Promise<PreparedSend> {
    const existing = read.existing ? { ...read.existing, createdAt: new Date(read.existing.createdAt) } : null;
    if (existing?.providerId) return { done: { status: 'sent', messageId: existing.id } };
    if (existing?.status === 'failed')
      return { done: { status: 'failed', messageId: existing.id, code: existing.errorCode ?? 'unknown' } };
    const { lead } = read;
    if (!lead) throw new Error('lead not found');
    if (!read.business) throw new Error('business not found');
    if (read.business.services) servicesCache.put(input.businessId, read.business.version, read.business.services);
    const business: BusinessForSend = { ...read.business, services: read.business.services ?? cached!.services };
    // An erased person's opt-out is kept as a keyed hash of the number: the same number
    // captured again is refused as surely as one suppressed in clear.
    const otherNumber = lead.phone !== phone ? hashesOf(input.businessId, lead.phone) : [];
    const suppressed =
      read.suppressed ||
      (otherNumber.length > 0 &&
        (await c.query<{ suppressed: boolean }>(SUPPRESSED, [input.businessId, otherNumber])).rows[0]!.suppressed);
    // The one text a carrier expects after STOP is its confirmation.
    if (suppressed && input.kind !== 'opt_out_confirmation') return { done: { status: 'suppressed', messageId: null } };
    if (lead.restricted && input.kind !== 'opt_out_confirmation' && input.kind !== 'help')
      return { done: { status: 'restricted', messageId: null } };
    // Objection and marketing opt-out end follow-ups even if a workflow still planned one.
    if (input.kind === 'follow_up' && (lead.objected || lead.marketingOptOut))
      return { done: { status: 'restricted', messageId: null } };
    if (AUTOMATED.has(input.kind) && !isActiveSubscription(business.subscriptionStatus))
      return { done: { status: 'paused', messageId: null } };
    if (input.note && REVIEW_NOTES.has(input.note) && !business.reviewUrl)
      return { done: { status: 'no_link', messageId: null } };
    // Nothing to send from: the lead waits for a number instead of failing for good.
    if (!business.smsNumber && sms.needsSender) return { done: { status: 'no_sender', messageId: null } };
    const history = existing ? [] : read.history.map((m) => ({ direction: m.direction, body: readableBody(m) }));
    return { done: null, existing, lead, business, history };
  }

  /** Composes (outside any transaction: it may wait on the AI), writes the outbox row, sends, records. */
  async function sendPrepared(input: SendLeadSmsInput, prepared: PreparedSend): Promise<SendOutcome> {
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
          const [made] = await sql<OutboxRow>(db, INSERT_OUTBOX, [
            input.businessId,
            input.leadId,
            input.kind,
            composed.body,
            sms.name,
            input.idempotencyKey,
            composed.aiModel,
            composed.promptVersion,
            JSON.stringify(events.map((e) => ({ category: e.category, event: e.event, detail: e.detail ?? {} }))),
          ]);
          if (!made) throw new Error('outbox row not found');
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
      // sentAt is when the carrier took it (speed-to-lead is measured from it), not workflow time.
      await sql(db, MARK_SENT, [
        input.businessId,
        row.id,
        sent.providerId,
        sent.status,
        new Date(),
        input.leadId,
        JSON.stringify({
          messageId: row.id,
          status: sent.status,
          kind: input.kind,
          provider: sms.name,
          recovered: earlier !== null,
        }),
        new Date(input.at),
        input.status ?? null,
      ]);
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
  }

  /**
   * Outbox first, carrier second: the row exists before the carrier is called, so a
   * retry finds it and never texts the lead twice. Refuses, whatever the workflow
   * asked, a number that opted out, a restricted lead, or automation for an inactive
   * account.
   */
  async function sendLeadSms(input: SendLeadSmsInput): Promise<SendOutcome> {
    return sendPrepared(input, await prepare(pooled(db), input));
  }

  return { sendLeadSms, prepare, readFor, check, sendPrepared };
}

/** The send as an activity (the sender's other parts are for activities that send as one of their steps). */
export function createSendActivities(deps: SendDeps, sender: Sender = createSender(deps)) {
  return { sendLeadSms: sender.sendLeadSms };
}
