import { Prisma } from '@prisma/client';
import { normalisePhone } from '../domain/phone';
import type { Actor } from '../services/audit-log';
import { readableBody } from './messages';
import type { SqlClient } from './sql';

export interface InboxFilter {
  businessId: string;
  limit: number;
  after?: { at: Date; id: string } | null;
  status?: string;
  source?: string;
  /** Name or phone, as a person types it. */
  q?: string;
}

export interface InboxRow {
  id: string;
  name: string;
  phone: string;
  email: string | null;
  source: string;
  status: string;
  legalHoldAt: Date | null;
  createdAt: Date;
  lastActivityAt: Date;
  erasedAt: Date | null;
  aiPaused: boolean;
  lastMessage: { direction: 'inbound' | 'outbound'; body: string; at: Date } | null;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Names and phones are plain columns (docs/privacy.md: disk encryption is the operator's), so
 * the search reads them directly within the business: a name matches case-insensitively
 * anywhere in it; a phone matches as typed in any common format (its E.164 form) or by a run
 * of at least 3 of its digits. Erased leads match nothing.
 */
function searchCondition(q: string): Prisma.Sql {
  const name = Prisma.sql`l.name ILIKE ${`%${likeEscape(q)}%`}`;
  const digits = q.replace(/\D/g, '');
  const phoneLike = /^[\d\s()+.-]+$/.test(q) && digits.length >= 3;
  const parsed = phoneLike ? normalisePhone(q) : null;
  const phone = parsed?.ok
    ? Prisma.sql` OR l.phone = ${parsed.e164} OR l.phone LIKE ${`%${digits}%`}`
    : phoneLike
      ? Prisma.sql` OR l.phone LIKE ${`%${digits}%`}`
      : Prisma.empty;
  return Prisma.sql`AND l.erased_at IS NULL AND (${name}${phone})`;
}

type InboxSqlRow = {
  id: string;
  name: string;
  phone: string;
  email: string | null;
  source: string;
  status: string;
  legal_hold_at: Date | null;
  created_at: Date;
  last_activity_at: Date;
  erased_at: Date | null;
  ai_paused: boolean;
  m_direction: string | null;
  m_kind: string | null;
  m_body: string | null;
  m_at: Date | null;
  b_subscription_status: string;
  b_sms_number: boolean;
};

/**
 * The inbox's one statement: the business's leads, newest activity first, keyset-paged on
 * (last_activity_at, id) over the index of that name, each with its last message (one index
 * probe per lead on the page). With an actor, the same statement writes the audit row of
 * the listing (as services/audit-log does). Exported for the benchmark's EXPLAIN.
 */
export function inboxPageQuery(filter: InboxFilter, actor?: Actor): Prisma.Sql {
  const q = filter.q?.trim();
  const audit = actor
    ? Prisma.sql`WITH audit AS (
        INSERT INTO audit_log (business_id, actor_key_id, actor_user_id, actor_role, action, entity, ip, at)
        VALUES (${actor.businessId}::uuid, ${actor.userId ? null : actor.keyId}::uuid, ${actor.userId ?? null}::uuid,
                ${actor.role}, 'list', 'lead', ${actor.ip}, now())
      )`
    : Prisma.empty;
  return Prisma.sql`
    ${audit}
    SELECT l.id, l.name, l.phone, l.email, l.source, l.status, l.legal_hold_at, l.created_at,
           l.last_activity_at, l.erased_at, l.ai_paused,
           m.direction AS m_direction, m.kind AS m_kind, m.body AS m_body, m.created_at AS m_at,
           b.subscription_status AS b_subscription_status, b.sms_number IS NOT NULL AS b_sms_number
    FROM leads l
    JOIN businesses b ON b.id = l.business_id
    LEFT JOIN LATERAL (
      SELECT direction, kind, body, created_at FROM messages
      WHERE lead_id = l.id ORDER BY created_at DESC LIMIT 1
    ) m ON l.erased_at IS NULL
    WHERE l.business_id = ${filter.businessId}::uuid
      ${filter.status ? Prisma.sql`AND l.status = ${filter.status}` : Prisma.empty}
      ${filter.source ? Prisma.sql`AND l.source = ${filter.source}` : Prisma.empty}
      ${filter.after ? Prisma.sql`AND (l.last_activity_at, l.id) < (${filter.after.at}, ${filter.after.id}::uuid)` : Prisma.empty}
      ${q ? searchCondition(q) : Prisma.empty}
    ORDER BY l.last_activity_at DESC, l.id DESC
    LIMIT ${filter.limit + 1}`;
}

/**
 * A page of the inbox (one more row than the limit: the caller knows whether there is a next
 * page), and the business's settings its rows are read against (null on an empty page). In
 * plain SQL, one statement with its audit row: every inbox view and every live update asks.
 */
export async function findInboxPage(
  c: SqlClient,
  filter: InboxFilter,
  actor: Actor,
): Promise<{ rows: InboxRow[]; business: { subscriptionStatus: string; hasSmsNumber: boolean } | null }> {
  const query = inboxPageQuery(filter, actor);
  const { rows } = await c.query<InboxSqlRow>(query.text, query.values);
  const first = rows[0];
  const business = first ? { subscriptionStatus: first.b_subscription_status, hasSmsNumber: first.b_sms_number } : null;
  return {
    business,
    rows: rows.map((r) => ({
      id: r.id,
      name: r.name,
      phone: r.phone,
      email: r.email,
      source: r.source,
      status: r.status,
      legalHoldAt: r.legal_hold_at,
      createdAt: r.created_at,
      lastActivityAt: r.last_activity_at,
      erasedAt: r.erased_at,
      aiPaused: r.ai_paused,
      lastMessage:
        r.m_direction && r.m_at
          ? {
              direction: r.m_direction === 'inbound' ? 'inbound' : 'outbound',
              body: readableBody({ kind: r.m_kind ?? '', body: r.m_body ?? '' }),
              at: r.m_at,
            }
          : null,
    })),
  };
}
