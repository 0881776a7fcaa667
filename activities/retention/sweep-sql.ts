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
      };
    case 'billing_records':
      return {
        table: Prisma.sql`billing_records`,
        alias: Prisma.sql`r`,
        base: Prisma.sql`FROM billing_records r WHERE r.business_id = ${businessId}::uuid AND r.occurred_at < ${cutoff}`,
        free: Prisma.sql`TRUE`,
        held: Prisma.sql`FALSE`,
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
export const deleteBatchSql = (s: SweepSource, limit: number, carrier?: string) =>
  Prisma.sql`DELETE FROM ${s.table} WHERE ctid = ANY(ARRAY(
    SELECT ${s.alias}.ctid ${s.base} AND ${s.free} ${carrier ? Prisma.sql`AND NOT ${hasCarrierCopy(carrier)}` : Prisma.empty}
    LIMIT ${limit}))`;

const hasCarrierCopy = (carrier: string) => Prisma.sql`(m.provider = ${carrier} AND m.provider_id IS NOT NULL)`;

/** Messages with a copy at the carrier: their ids and the carrier's, to delete there before the rows. */
export const selectCarrierBatchSql = (s: SweepSource, carrier: string, limit: number) =>
  Prisma.sql`SELECT m.id::text AS id, m.provider_id AS "providerId" ${s.base} AND ${s.free} AND ${hasCarrierCopy(carrier)} ORDER BY m.id LIMIT ${limit}`;

/** Those rows by id, still expired and still free of holds when the delete runs. */
export const deleteMessagesByIdSql = (s: SweepSource, ids: string[]) =>
  Prisma.sql`DELETE FROM messages WHERE ctid = ANY(ARRAY(SELECT m.ctid ${s.base} AND ${s.free} AND m.id = ANY(${ids}::uuid[]) FOR UPDATE OF m SKIP LOCKED))`;

export const countSql = (s: SweepSource, which: 'free' | 'held' | 'all') =>
  Prisma.sql`SELECT COUNT(*)::int AS n ${s.base} AND ${which === 'all' ? Prisma.sql`TRUE` : s[which]}`;

export const sampleSql = (s: SweepSource, limit: number) => Prisma.sql`SELECT ${s.alias}.id::text AS id ${s.base} AND ${s.free} ORDER BY 1 LIMIT ${limit}`;

/** The capture's free text on the lead row is part of its messaging log. */
const leadTextsBase = (businessId: string, cutoff: Date) =>
  Prisma.sql`FROM leads l WHERE l.business_id = ${businessId}::uuid AND l.last_activity_at < ${cutoff} AND l.legal_hold_at IS NULL AND l.message IS NOT NULL`;

export const clearLeadTextsSql = (businessId: string, cutoff: Date, limit: number) =>
  Prisma.sql`UPDATE leads SET message = NULL WHERE ctid = ANY(ARRAY(SELECT l.ctid ${leadTextsBase(businessId, cutoff)} LIMIT ${limit} FOR UPDATE OF l SKIP LOCKED))`;

export const countLeadTextsSql = (businessId: string, cutoff: Date) => Prisma.sql`SELECT COUNT(*)::int AS n ${leadTextsBase(businessId, cutoff)}`;
