/**
 * Default retention periods, from the privacy policies leadflow's users publish
 * (shared/policies): the single source for workflows and sweeps alike.
 */
export const RETENTION_DEFAULT_DAYS = {
  /** "Customer messaging logs are retained for 24 months … then automatically deleted." */
  messaging_logs: 730,
} as const;

export type RetentionCategory = keyof typeof RETENTION_DEFAULT_DAYS;

export function retentionDays(category: RetentionCategory): number {
  return RETENTION_DEFAULT_DAYS[category];
}
