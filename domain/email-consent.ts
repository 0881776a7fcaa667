import type { CapturedLead } from '../workflows/lead/definitions';

/** When the lead agreed to follow-ups by email, or null: only with an address and an explicit `consent.email`. */
export function emailConsentAt(lead: CapturedLead): Date | null {
  return lead.email && lead.consent?.email === true ? new Date(lead.consent.at) : null;
}
