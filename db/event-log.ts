import type { Prisma } from '@prisma/client';
import type { SqlClient } from './sql';
import type { Tx } from './tenant';

/**
 * Operational logs by purpose (event_logs): each category has its own retention period
 * (domain/retention: ai_logs, sms_delivery_logs, error_logs) and the sweep deletes by it.
 * Ids, codes, model, prompt version, latency and status only: never a phone, a name or a
 * message text, so a log row never needs an erasure of its own.
 */
export type EventCategory = 'ai' | 'sms_delivery' | 'error';

export type EventDetail = Record<string, string | number | boolean | null | string[]>;

export interface EventRecord {
  businessId: string;
  leadId?: string | null;
  category: EventCategory;
  /** e.g. reply_written, reply_rejected, sent, status_callback, send_failed */
  event: string;
  detail?: EventDetail;
}

/** One insert, in the caller's transaction: the log commits with what it describes. */
export function recordEvent(tx: Tx, e: EventRecord) {
  return tx.eventLog.create({
    data: {
      businessId: e.businessId,
      leadId: e.leadId ?? null,
      category: e.category,
      event: e.event,
      detail: (e.detail ?? {}) as Prisma.InputJsonValue,
    },
  });
}

/** recordEvent for the paths written in SQL (db/sql.ts). */
export function recordEventSql(c: SqlClient, e: EventRecord) {
  return c.query('INSERT INTO event_logs (business_id, lead_id, category, event, detail) VALUES ($1, $2, $3, $4, $5)', [
    e.businessId,
    e.leadId ?? null,
    e.category,
    e.event,
    JSON.stringify(e.detail ?? {}),
  ]);
}
