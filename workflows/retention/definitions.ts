import type { RetentionCategory } from '../../domain/retention';

/**
 * What a retention sweep deletes, in the order it visits them for each business. The
 * other retention categories (a cancelled account, account data after the subscription)
 * are whole-tenant deletions, not sweeps of expired rows.
 */
export const SWEEP_CATEGORIES = [
  'ai_logs',
  'sms_delivery_logs',
  'error_logs',
  'messaging_logs',
  'billing_records',
] as const satisfies readonly RetentionCategory[];
export type SweepCategory = (typeof SWEEP_CATEGORIES)[number];

/** The event_logs category each log period applies to. */
export const EVENT_LOG_CATEGORY = { ai_logs: 'ai', sms_delivery_logs: 'sms_delivery', error_logs: 'error' } as const;

export const RETENTION_SWEEP_SCHEDULE_ID = 'retention-sweep';
export const retentionRunWorkflowId = (runId: string) => `retention-run-${runId}`;

export interface RetentionSweepInput {
  /** The retention_runs row; a scheduled run has none and makes its own. */
  runId?: string;
  /** One business (the API), or null for the whole platform (the schedule). */
  businessId?: string | null;
  dryRun?: boolean;
  categories?: SweepCategory[];
  triggeredBy?: string;
  /** Rows per DELETE: each batch is one bounded transaction. */
  batchSize?: number;
  /** History events before the run continues as new (tests lower it). */
  historyLimit?: number;
  /** Set by the workflow itself when it continues as new. */
  resumed?: { cursor: SweepCursor | null; dryRun: boolean };
}

export interface CategoryCounts {
  deleted: number;
  wouldDelete: number;
  /** Expired, but a legal hold on the lead or the business keeps them. */
  keptByHold: number;
  /** messaging_logs: the carrier's copies removed, and leads' capture texts cleared. */
  providerDeleted?: number;
  leadTexts?: number;
  /** messaging_logs: email log rows deleted (or, in a dry run, to delete); email logs expire with messaging logs. */
  emails?: number;
  /** billing_records: invoices sent to customers after a job, deleted (or, in a dry run, to delete) with the same period. */
  jobInvoices?: number;
}

/** The last (business, category) pair finished: a resumed run starts after it. */
export interface SweepCursor {
  businessId: string;
  category: SweepCategory;
}

export interface RetentionReport {
  /** The run's reference time: everything older than asOf minus the period is expired. */
  asOf: string;
  categories: SweepCategory[];
  totals: Partial<Record<SweepCategory, CategoryCounts>>;
  /** Per business, only where something was (or would be) deleted or kept. */
  businesses: Record<string, Partial<Record<SweepCategory, CategoryCounts>>>;
  /** Dry runs: a few ids of what would go, per category. */
  samples: Partial<Record<SweepCategory, string[]>>;
  cursor: SweepCursor | null;
  batches: number;
  error?: string;
}

export function emptyReport(asOf: Date, categories: SweepCategory[]): RetentionReport {
  return { asOf: asOf.toISOString(), categories, totals: {}, businesses: {}, samples: {}, cursor: null, batches: 0 };
}

export type RetentionRunStatus = 'running' | 'completed' | 'failed';
