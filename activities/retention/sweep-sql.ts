import { Prisma } from '@prisma/client';
import type { SweepCategory } from '../../workflows/retention/definitions';
import { EVENT_LOG_CATEGORY } from '../../workflows/retention/definitions';

/**
 * What "expired" means for each swept category, as SQL shared by the counting (dry runs,
 * holds) and the deleting: the dry run's count and the real run's deletions come from the
 * same predicate, so they agree.
 */
export interface SweepSource {
  table: Prisma.Sql;
  alias: Prisma.Sql;
  /** FROM … WHERE <expired for this business>. */
  base: Prisma.Sql;
  /** Not under a lead's legal hold (a business hold is checked before any of this). */
  free: Prisma.Sql;
  held: Prisma.Sql;
  /**
   * The order a run walks the rows in, so that each batch starts where the last one ended
   * instead of passing again over the index entries of rows already deleted (which made
   * every batch slower than the one before). Messages walk by lead, inclusively: a batch
   * may end inside a lead's messages.
   */
  key: Prisma.Sql;
  keyType: Prisma.Sql;
  businessId: string;
  cutoff: Date;
  after: (key: string) => Prisma.Sql;
}

export function sweepSource(category: SweepCategory, businessId: string, cutoff: Date): SweepSource {
  switch (category) {
    case 'messaging_logs':
      // Messaging logs expire with the lead's last activity, not with each message.
      return {
        table: Prisma.sql`messages`,
        alias: Prisma.sql`m`,
        base: Prisma.sql`FROM messages m JOIN leads l ON l.id = m.lead_id
          WHERE m.business_id = ${businessId}::uuid AND l.business_id = ${businessId}::uuid AND l.last_activity_at < ${cutoff}`,
        free: Prisma.sql`l.legal_hold_at IS NULL`,
        held: Prisma.sql`l.legal_hold_at IS NOT NULL`,
        key: Prisma.sql`l.id`,
        businessId,
        cutoff,
        keyType: Prisma.sql`uuid`,
        after: (key) => Prisma.sql`l.id >= ${key}::uuid`,
      };
    case 'billing_records':
      return {
        table: Prisma.sql`billing_records`,
        alias: Prisma.sql`r`,
        base: Prisma.sql`FROM billing_records r WHERE r.business_id = ${businessId}::uuid AND r.occurred_at < ${cutoff}`,
        free: Prisma.sql`TRUE`,
        held: Prisma.sql`FALSE`,
        key: Prisma.sql`r.id`,
        businessId,
        cutoff,
        keyType: Prisma.sql`uuid`,
        after: (key) => Prisma.sql`r.id > ${key}::uuid`,
      };
    default: {
      const leadHeld = Prisma.sql`EXISTS (SELECT 1 FROM leads l WHERE l.id = e.lead_id AND l.legal_hold_at IS NOT NULL)`;
      return {
        table: Prisma.sql`event_logs`,
        alias: Prisma.sql`e`,
        base: Prisma.sql`FROM event_logs e
          WHERE e.business_id = ${businessId}::uuid AND e.category = ${EVENT_LOG_CATEGORY[category]} AND e.created_at < ${cutoff}`,
        free: Prisma.sql`NOT ${leadHeld}`,
        held: leadHeld,
        key: Prisma.sql`e.id`,
        businessId,
        cutoff,
        keyType: Prisma.sql`bigint`,
        after: (key) => Prisma.sql`e.id > ${key}::bigint`,
      };
    }
  }
}

/**
 * One bounded batch, by physical row address (a TID scan, no second pass over the table).
 * No FOR UPDATE in the pick: it would write a lock into each of the 5,000 rows only to
 * delete them in the same statement (a third slower). The DELETE locks what it deletes; a
 * row another transaction is deleting is waited for and then left alone, and a row updated
 * meanwhile (a new version, a new address) is simply taken by the next batch.
 * `carrier` leaves out the messages whose copies at that carrier must go first.
 */
export const deleteBatchSql = (s: SweepSource, limit: number, opts: { carrier?: string; after?: string | null } = {}) =>
  Prisma.sql`WITH picked AS (${pickSql(s, limit, opts)}),
    gone AS (DELETE FROM ${s.table} WHERE ctid = ANY(ARRAY(SELECT tid FROM picked)) RETURNING 1)
    SELECT (SELECT COUNT(*)::int FROM gone) AS deleted, (SELECT COUNT(*)::int FROM picked) AS picked,
      (SELECT key FROM picked ORDER BY key::${s.keyType} DESC LIMIT 1) AS last`;

/**
 * The batch's rows in key order. Messages go lead by lead (the lead's expiry decides), each
 * lead's messages through their index, so the walk stops after `limit` rows instead of
 * sorting every expired message of the business for every batch.
 */
function pickSql(s: SweepSource, limit: number, opts: { carrier?: string; after?: string | null }) {
  const after = opts.after ? Prisma.sql`AND ${s.after(opts.after)}` : Prisma.empty;
  if (s.key.sql === 'l.id') {
    return Prisma.sql`SELECT m.ctid AS tid, l.id::text AS key
      FROM (SELECT l.id FROM leads l WHERE l.business_id = ${s.businessId}::uuid AND l.last_activity_at < ${s.cutoff} AND ${s.free} ${after} ORDER BY l.id) l
      CROSS JOIN LATERAL (SELECT m.ctid FROM messages m WHERE m.lead_id = l.id AND m.business_id = ${s.businessId}::uuid
        ${opts.carrier ? Prisma.sql`AND NOT ${hasCarrierCopy(opts.carrier)}` : Prisma.empty}) m
      LIMIT ${limit}`;
  }
  return Prisma.sql`SELECT ${s.alias}.ctid AS tid, ${s.key}::text AS key ${s.base} AND ${s.free} ${after} ORDER BY ${s.key} LIMIT ${limit}`;
}

const hasCarrierCopy = (carrier: string) => Prisma.sql`(m.provider = ${carrier} AND m.provider_id IS NOT NULL)`;

/**
 * Messages with a copy at the carrier: their ids and the carrier's, to delete there before
 * the rows. From the walk's position on (`after`): what lies behind it has been swept.
 */
export const selectCarrierBatchSql = (s: SweepSource, carrier: string, limit: number, after: string | null = null) =>
  Prisma.sql`SELECT m.id::text AS id, m.provider_id AS "providerId" ${s.base} AND ${s.free} AND ${hasCarrierCopy(carrier)} ${after ? Prisma.sql`AND ${s.after(after)}` : Prisma.empty} ORDER BY m.id LIMIT ${limit}`;

/** Those rows by id, still expired and still free of holds when the delete runs. */
export const deleteMessagesByIdSql = (s: SweepSource, ids: string[]) =>
  Prisma.sql`DELETE FROM messages WHERE ctid = ANY(ARRAY(SELECT m.ctid ${s.base} AND ${s.free} AND m.id = ANY(${ids}::uuid[]) FOR UPDATE OF m SKIP LOCKED))`;

export const countSql = (s: SweepSource, which: 'free' | 'held' | 'all') =>
  Prisma.sql`SELECT COUNT(*)::int AS n ${s.base} AND ${which === 'all' ? Prisma.sql`TRUE` : s[which]}`;

export const sampleSql = (s: SweepSource, limit: number) =>
  Prisma.sql`SELECT ${s.alias}.id::text AS id ${s.base} AND ${s.free} ORDER BY 1 LIMIT ${limit}`;

/** The capture's free text on the lead row is part of its messaging log. */
const leadTextsBase = (businessId: string, cutoff: Date) =>
  Prisma.sql`FROM leads l WHERE l.business_id = ${businessId}::uuid AND l.last_activity_at < ${cutoff} AND l.legal_hold_at IS NULL AND l.message IS NOT NULL`;

export const clearLeadTextsSql = (businessId: string, cutoff: Date, limit: number) =>
  Prisma.sql`UPDATE leads SET message = NULL WHERE ctid = ANY(ARRAY(SELECT l.ctid ${leadTextsBase(businessId, cutoff)} LIMIT ${limit} FOR UPDATE OF l SKIP LOCKED))`;

export const countLeadTextsSql = (businessId: string, cutoff: Date) =>
  Prisma.sql`SELECT COUNT(*)::int AS n ${leadTextsBase(businessId, cutoff)}`;

/**
 * Email logs expire with messaging logs: a lead's emails with the lead's last activity
 * (unless the lead is held), the others (alerts to the business) with their own age.
 */
const expiredEmailsBase = (businessId: string, cutoff: Date) =>
  Prisma.sql`FROM emails e LEFT JOIN leads l ON l.id = e.lead_id
    WHERE e.business_id = ${businessId}::uuid AND (
      (e.lead_id IS NULL AND e.created_at < ${cutoff})
      OR (l.business_id = ${businessId}::uuid AND l.last_activity_at < ${cutoff} AND l.legal_hold_at IS NULL))`;

export const deleteEmailsSql = (businessId: string, cutoff: Date, limit: number) =>
  Prisma.sql`DELETE FROM emails WHERE ctid = ANY(ARRAY(SELECT e.ctid ${expiredEmailsBase(businessId, cutoff)} LIMIT ${limit} FOR UPDATE OF e SKIP LOCKED))`;

export const countEmailsSql = (businessId: string, cutoff: Date) =>
  Prisma.sql`SELECT COUNT(*)::int AS n ${expiredEmailsBase(businessId, cutoff)}`;

/**
 * The invoices a business sent its customers after a job are transaction records too: they
 * expire with billing_records' period from their last transaction (paid, else created),
 * unless the lead is under a legal hold. They outlive the lead's messaging logs (no foreign
 * key to the lead), which is why they are swept here and not with the lead.
 */
const expiredJobInvoicesBase = (businessId: string, cutoff: Date) =>
  Prisma.sql`FROM job_invoices j WHERE j.business_id = ${businessId}::uuid AND COALESCE(j.paid_at, j.created_at) < ${cutoff}
    AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.id = j.lead_id AND l.legal_hold_at IS NOT NULL)`;

export const deleteJobInvoicesSql = (businessId: string, cutoff: Date, limit: number) =>
  Prisma.sql`DELETE FROM job_invoices WHERE ctid = ANY(ARRAY(SELECT j.ctid ${expiredJobInvoicesBase(businessId, cutoff)} LIMIT ${limit} FOR UPDATE OF j SKIP LOCKED))`;

export const countJobInvoicesSql = (businessId: string, cutoff: Date) =>
  Prisma.sql`SELECT COUNT(*)::int AS n ${expiredJobInvoicesBase(businessId, cutoff)}`;
