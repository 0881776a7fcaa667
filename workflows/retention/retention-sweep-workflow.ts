import { continueAsNew, proxyActivities, uuid4, workflowInfo } from '@temporalio/workflow';
import type { RetentionSweepActivities } from '../../activities/types';
import { SWEEP_CATEGORIES, type RetentionSweepInput, type SweepCategory } from './definitions';

const bookkeeping = proxyActivities<RetentionSweepActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2, maximumAttempts: 20 },
});

const sweeping = proxyActivities<RetentionSweepActivities>({
  // Each call runs batches for a few seconds and heartbeats after each one: a worker that
  // dies mid-call is noticed within the heartbeat timeout, and the retry carries on from
  // what the database shows (the deleted rows are gone, the report holds the counts).
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', backoffCoefficient: 2, maximumAttempts: 20 },
});

const BUSINESS_PAGE = 100;
const DEFAULT_BATCH = 5_000;
/** Far below Temporal's limits: a platform-wide sweep over many businesses starts fresh runs. */
const HISTORY_LIMIT = 2_000;

/** Carried across continue-as-new: the run's identity and where it is. */
type SweepState = RetentionSweepInput & { runId: string };

/**
 * Deletes what has expired under domain/retention, per business and category, in bounded
 * batches. Progress lives in the retention_runs row, so a new workflow with the same runId
 * (after a crash, a termination, or a failed run) resumes where the last one stopped, and
 * counts nothing twice.
 */
export async function retentionSweepWorkflow(input: RetentionSweepInput) {
  const state: SweepState = { ...input, runId: input.runId ?? uuid4() };
  const { runId } = state;
  const businessId = state.businessId ?? null;
  const categories = SWEEP_CATEGORIES.filter((c) => !state.categories || state.categories.includes(c));
  const batchSize = state.batchSize ?? DEFAULT_BATCH;

  const begun =
    state.resumed ??
    (await bookkeeping.beginRetentionRun({
      runId,
      businessId,
      dryRun: state.dryRun ?? false,
      triggeredBy: state.triggeredBy ?? 'schedule',
      categories,
    }));
  const dryRun = begun.dryRun;
  let cursor = begun.cursor;

  const pairDone = (b: string, c: SweepCategory) =>
    cursor !== null &&
    (cursor.businessId > b ||
      (cursor.businessId === b && SWEEP_CATEGORIES.indexOf(cursor.category) >= SWEEP_CATEGORIES.indexOf(c)));
  const tooLong = () =>
    workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > (state.historyLimit ?? HISTORY_LIMIT);

  /** Sweeps until done ('done') or until the history should start afresh ('more'). */
  async function sweep(): Promise<'done' | 'more'> {
    // The cursor's own business may have categories left: the first page starts at it.
    let from: string | null = cursor?.businessId ?? null;
    let after: string | null = null;
    for (;;) {
      const page: string[] = await bookkeeping.listSweepBusinesses({ businessId, from, after, limit: BUSINESS_PAGE });
      if (page.length === 0) return 'done';
      for (const b of page) {
        const left = categories.filter((c) => !pairDone(b, c));
        if (left.length === 0) continue;
        if (dryRun) {
          await bookkeeping.previewRetention({ runId, businessId: b, categories: left });
        } else {
          for (const category of left) {
            let position: string | null = null;
            for (;;) {
              const step: { done: boolean; after: string | null } = await sweeping.sweepRetentionCategory({
                runId,
                businessId: b,
                category,
                batchSize,
                after: position,
              });
              if (step.done) break;
              position = step.after;
              if (tooLong()) return 'more';
            }
            cursor = { businessId: b, category };
          }
        }
        cursor = { businessId: b, category: left[left.length - 1]! };
        if (tooLong()) return 'more';
      }
      from = null;
      after = page[page.length - 1]!;
    }
  }

  let outcome: 'done' | 'more';
  try {
    outcome = await sweep();
  } catch (err) {
    await bookkeeping.finishRetentionRun({ runId, status: 'failed', error: errorCode(err) });
    throw err;
  }
  if (outcome === 'more')
    return await continueAsNew<typeof retentionSweepWorkflow>({ ...state, resumed: { cursor, dryRun } });
  return {
    runId,
    status: 'completed' as const,
    ...(await bookkeeping.finishRetentionRun({ runId, status: 'completed' })),
  };
}

/** A short reason for the report, without anything the failing query may have carried. */
function errorCode(err: unknown): string {
  const e = err as { name?: string; cause?: { type?: string; name?: string } };
  return [e?.name, e?.cause?.type ?? e?.cause?.name].filter(Boolean).join(': ') || 'unknown';
}
