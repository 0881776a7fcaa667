/**
 * Retention periods by data category: the single source for the lead workflow's timer,
 * the retention sweeps and the account lifecycle. Defaults come from the privacy policies
 * leadflow's users publish (shared/policies); a tenant may shorten any of them, never
 * lengthen one.
 */
export const RETENTION_DEFAULT_DAYS = {
  /** Lektera: "Customer messaging logs are retained for 24 months … then automatically deleted." */
  messaging_logs: 730,
  /** Lead Machine: "Logs (AI, SMS, error logs): 30–180 days, depending on purpose." */
  ai_logs: 30,
  sms_delivery_logs: 90,
  error_logs: 180,
  /** Kontraktr: "Upon cancellation, your data is retained for thirty (30) days to allow for data export." */
  cancelled_account: 30,
  /** Lektera: "We keep account data for the life of your subscription plus 12 months." */
  account_after_subscription: 365,
  /** Lead Machine: "Billing / transaction data: 7 years (legal requirement)." */
  billing_records: 2557,
} as const;

export type RetentionCategory = keyof typeof RETENTION_DEFAULT_DAYS;
export type RetentionOverrides = Partial<Record<RetentionCategory, number>>;

export const RETENTION_CATEGORIES = Object.keys(RETENTION_DEFAULT_DAYS) as RetentionCategory[];

/** Billing records are kept for a legal duty: a tenant cannot shorten them below it. */
const LEGAL_MINIMUM_DAYS: Partial<Record<RetentionCategory, number>> = { billing_records: 2557 };

export function retentionDays(category: RetentionCategory, overrides: RetentionOverrides = {}): number {
  const fallback = RETENTION_DEFAULT_DAYS[category];
  const wanted = overrides[category];
  if (wanted === undefined || !Number.isInteger(wanted) || wanted < 1) return fallback;
  return Math.max(LEGAL_MINIMUM_DAYS[category] ?? 1, Math.min(fallback, wanted));
}

/** Validates a tenant's overrides: each must be a whole number of days that shortens the default. */
export function overrideProblems(overrides: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [category, value] of Object.entries(overrides)) {
    if (!(category in RETENTION_DEFAULT_DAYS)) {
      problems.push(`${category}: unknown retention category`);
      continue;
    }
    const max = RETENTION_DEFAULT_DAYS[category as RetentionCategory];
    const min = LEGAL_MINIMUM_DAYS[category as RetentionCategory] ?? 1;
    if (typeof value !== 'number' || !Number.isInteger(value))
      problems.push(`${category}: must be a whole number of days`);
    else if (value > max) problems.push(`${category}: may only shorten the default of ${max} days`);
    else if (value < min) problems.push(`${category}: must be at least ${min} days (legal minimum)`);
  }
  return problems;
}
