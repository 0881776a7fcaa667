import { randomUUID } from 'node:crypto';
import { LEAD_INTAKE_PARAMS, leadIntakeValues } from '../../db/lead-intake';
import { prepared, type SqlClient } from '../../db/sql';
import type { CapturedLead } from '../../workflows/lead/definitions';

/** The text a new lead sent first, stored with the lead so a retried webhook finds it. */
export interface FirstText {
  providerId: string;
  provider: string;
  body: string;
  /** Carrier opt-out keyword: the number is suppressed before anything can be sent to it. */
  optOut: boolean;
}

const INTAKE = `SELECT leadflow_lead_intake(${LEAD_INTAKE_PARAMS}, true) AS created`;

/**
 * The lead's row, its consent record and its data key's assignment, in the caller's tenant
 * transaction, in one statement (db/lead-intake.ts). Plain SQL: every capture runs it (db/sql.ts says why). The workflow's own
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
  const { rows } = await c.query<{ created: boolean }>(prepared(INTAKE, leadIntakeValues(input)));
  const created = rows[0]!.created;
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
