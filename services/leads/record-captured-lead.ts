import { emailConsentAt } from '../../domain/email-consent';
import { randomUUID } from 'node:crypto';
import { recordDataKeyAssignment } from '../../codec/lead-data-keys';
import type { SqlClient } from '../../db/sql';
import type { CapturedLead } from '../../workflows/lead/definitions';

/** The text a new lead sent first, stored with the lead so a retried webhook finds it. */
export interface FirstText {
  providerId: string;
  provider: string;
  body: string;
  /** Carrier opt-out keyword: the number is suppressed before anything can be sent to it. */
  optOut: boolean;
}

/**
 * The lead's row, its consent record and its data key's assignment, in the caller's tenant
 * transaction. Plain SQL: every capture runs it (db/sql.ts says why). The workflow's own
 * recordLead writes the same row if this did not run (Postgres was down at capture), and
 * leaves it alone if it did. Returns the id of the first text's row, when there is one.
 */
export async function recordCapturedLead(
  c: SqlClient,
  input: {
    leadId: string;
    businessId: string;
    lead: CapturedLead;
    capturedAt: Date;
    dataKeyId?: string;
    firstText?: FirstText;
  },
): Promise<{ created: boolean; messageId: string | null }> {
  const { lead, leadId, businessId, capturedAt } = input;
  const inserted = await c.query(
    `INSERT INTO leads (id, business_id, name, phone, email, email_consent_at, message, source, status, created_at, last_activity_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $9, $6, $7, 'new', $8, $8, now()) ON CONFLICT (id) DO NOTHING`,
    [
      leadId,
      businessId,
      lead.name,
      lead.phone,
      lead.email ?? null,
      lead.message ?? null,
      lead.source,
      capturedAt,
      emailConsentAt(lead),
    ],
  );
  const created = inserted.rowCount === 1;
  // A second capture of someone already here keeps the consent they gave first.
  if (created && lead.consent) {
    await c.query(
      `INSERT INTO consent_records (id, business_id, lead_id, consent_text, captured_at, ip, user_agent, page_url, method)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        businessId,
        leadId,
        lead.consent.text,
        new Date(lead.consent.at),
        lead.consent.ip ?? null,
        lead.consent.userAgent ?? null,
        lead.consent.pageUrl ?? null,
        lead.consent.method,
      ],
    );
  }
  if (input.dataKeyId) await recordDataKeyAssignment(c, { keyId: input.dataKeyId, leadId, businessId });
  const text = input.firstText;
  if (!text) return { created, messageId: null };
  const messageId = randomUUID();
  await c.query(
    `INSERT INTO messages (id, business_id, lead_id, direction, kind, body, status, provider, provider_id, created_at)
     VALUES ($1, $2, $3, 'inbound', 'inbound', $4, 'received', $5, $6, $7)`,
    [messageId, businessId, leadId, text.body, text.provider, text.providerId, capturedAt],
  );
  if (text.optOut) {
    await c.query(
      `INSERT INTO suppressions (id, business_id, phone, reason, created_at)
       VALUES (gen_random_uuid(), $1, $2, 'keyword', now()) ON CONFLICT (business_id, phone) DO NOTHING`,
      [businessId, lead.phone],
    );
  }
  return { created, messageId };
}
