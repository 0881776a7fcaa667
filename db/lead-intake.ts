import { emailConsentAt } from '../domain/email-consent';
import type { CapturedLead } from '../workflows/lead/definitions';

/**
 * A new lead's writes in one statement (capture's and the workflow's recordLead): its row,
 * its consent record when the row is new, and its data key's assignment (so erasure finds
 * the key), in the caller's tenant. Every lead runs this: one round trip instead of three,
 * and no second write of a key already assigned. The SQL is the migration's functions.
 */
export interface LeadIntake {
  leadId: string;
  businessId: string;
  lead: CapturedLead;
  capturedAt: Date;
  dataKeyId?: string;
}

/**
 * The parameters $1–$16 of the intake's functions (leadflow_lead_intake, leadflow_record_lead,
 * leadflow_record_lead_and_read: prisma/migrations/20261204180000_lead_intake_in_one_call).
 */
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

/** `$1, …, $16`: the parameters of `leadIntakeValues` in a call of one of the intake's functions. */
export const LEAD_INTAKE_PARAMS = Array.from({ length: 16 }, (_, i) => `$${i + 1}`).join(', ');
