import { emailConsentAt } from '../domain/email-consent';
import type { CapturedLead } from '../workflows/lead/definitions';

/**
 * A new lead's writes in one statement (capture's and the workflow's recordLead): its row,
 * its consent record when the row is new, and its data key's assignment (so erasure finds
 * the key), all in the caller's tenant transaction. Every lead runs this: one round trip
 * instead of three, and no second write of a key already assigned.
 */
export interface LeadIntake {
  leadId: string;
  businessId: string;
  lead: CapturedLead;
  capturedAt: Date;
  dataKeyId?: string;
}

/** The parameters $1–$16 of `leadIntakeCtes`. */
export function leadIntakeValues({ leadId, businessId, lead, capturedAt, dataKeyId }: LeadIntake): unknown[] {
  const consent = lead.consent;
  return [
    leadId,
    businessId,
    lead.name,
    lead.phone,
    lead.email ?? null,
    emailConsentAt(lead),
    lead.message ?? null,
    lead.source,
    capturedAt,
    consent?.text ?? null,
    consent ? new Date(consent.at) : null,
    consent?.ip ?? null,
    consent?.userAgent ?? null,
    consent?.pageUrl ?? null,
    consent?.method ?? null,
    dataKeyId ?? null,
  ];
}

/**
 * The intake as CTEs for a `WITH`: `ins` yields the lead's id when this statement inserted
 * the row (only when `insertWhen` holds; a row already there is left as it is). A second
 * capture of someone already here keeps the consent they gave first. A key already given
 * to another lead is never moved. The key is assigned only when `insertWhen` holds too: a
 * caller that inserts only a missing row (recordLead) finds a row written by this same
 * statement at capture, with its key, so it does not probe the key again.
 */
export const leadIntakeCtes = (insertWhen = 'true') => `
  ins AS (
    INSERT INTO leads (id, business_id, name, phone, email, email_consent_at, message, source, status, created_at, last_activity_at, updated_at)
    SELECT $1::uuid, $2::uuid, $3::text, $4::text, $5::text, $6::timestamptz, $7::text, $8::text, 'new', $9::timestamptz, $9::timestamptz, now()
     WHERE ${insertWhen}
    ON CONFLICT (id) DO NOTHING RETURNING id),
  consent AS (
    INSERT INTO consent_records (id, business_id, lead_id, consent_text, captured_at, ip, user_agent, page_url, method)
    SELECT gen_random_uuid(), $2::uuid, ins.id, $10::text, $11::timestamptz, $12::text, $13::text, $14::text, $15::text
      FROM ins WHERE $10::text IS NOT NULL),
  key AS (
    UPDATE lead_data_keys k
       SET lead_id = $1::uuid, business_id = COALESCE(k.business_id, $2::uuid),
           assigned_at = CASE WHEN k.lead_id IS NULL THEN now() ELSE k.assigned_at END
     WHERE (${insertWhen}) AND k.id = $16::uuid AND (k.lead_id IS NULL OR (k.lead_id = $1::uuid AND k.business_id IS NULL)))`;
