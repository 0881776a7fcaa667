import { Context } from '@temporalio/activity';
import { Prisma } from '@prisma/client';
import type { Db } from '../../db/prisma';
import { withComplianceRole, type Tx } from '../../db/tenant';
import { retentionDays, type RetentionOverrides } from '../../domain/retention';
import { DAY_MS } from '../../domain/time';
import type { Logger } from '../../logging/logger';
import type { SmsProvider } from '../../providers/sms/sms-provider';
import {
  emptyReport,
  SWEEP_CATEGORIES,
  type CategoryCounts,
  type RetentionReport,
  type RetentionRunStatus,
  type SweepCategory,
  type SweepCursor,
} from '../../workflows/retention/definitions';
import { deleteExpiredWebhookDeliveriesAllTenants } from '../../db/webhooks';
import {
  clearLeadTextsSql,
  countEmailsSql,
  countLeadTextsSql,
  countJobInvoicesSql,
  countSql,
  deleteBatchSql,
  deleteJobInvoicesSql,
  deleteEmailsSql,
  deleteMessagesByIdSql,
  sampleSql,
  selectCarrierBatchSql,
  sweepSource,
} from './sweep-sql';
import { appendReceiptSql, rowCount, rows, withComplianceSql } from './sweep-tx';
import type { SqlClient } from '../../db/sql';

const SAMPLE_CAP = 20;

export interface SweepDeps {
  db: Db;
  sms: SmsProvider;
  log: Logger;
  /** Called after each committed batch (tests stop a run there to prove it resumes). */
  onBatchCommitted?: (info: {
    runId: string;
    businessId: string;
    category: SweepCategory;
    deleted: number;
  }) => Promise<void>;
}

const order = (c: SweepCategory) => SWEEP_CATEGORIES.indexOf(c);

/** Whether this (business, category) pair was finished before: a resumed run does not count it again. */
export function finished(cursor: SweepCursor | null, businessId: string, category: SweepCategory): boolean {
  if (!cursor) return false;
  if (cursor.businessId !== businessId) return cursor.businessId > businessId;
  return order(cursor.category) >= order(category);
}

function add(report: RetentionReport, businessId: string, category: SweepCategory, delta: Partial<CategoryCounts>) {
  if (Object.values(delta).every((v) => !v)) return;
  const bump = (into: Partial<Record<SweepCategory, CategoryCounts>>) => {
    const counts = (into[category] ??= { deleted: 0, wouldDelete: 0, keptByHold: 0 });
    for (const [key, value] of Object.entries(delta) as Array<[keyof CategoryCounts, number]>)
      counts[key] = (counts[key] ?? 0) + value;
  };
  bump(report.totals);
  bump((report.businesses[businessId] ??= {}));
}

async function lockRun(tx: Tx, runId: string): Promise<{ report: RetentionReport; dryRun: boolean }> {
  const rows = await tx.$queryRaw<
    Array<{ report: RetentionReport; dry_run: boolean }>
  >`SELECT report, dry_run FROM retention_runs WHERE id = ${runId}::uuid FOR UPDATE`;
  if (!rows[0]) throw new Error(`retention run ${runId} not found`);
  return { report: rows[0].report, dryRun: rows[0].dry_run };
}

const saveReportSql = (runId: string, report: RetentionReport) =>
  Prisma.sql`UPDATE retention_runs SET report = ${JSON.stringify(report)}::jsonb WHERE id = ${runId}::uuid`;

const saveReport = (tx: Tx, runId: string, report: RetentionReport) => tx.$executeRaw(saveReportSql(runId, report));

async function count(tx: Tx, sql: Prisma.Sql): Promise<number> {
  const rows = await tx.$queryRaw<Array<{ n: number }>>(sql);
  return rows[0]?.n ?? 0;
}

/** Reads the business under a share lock: a business-wide hold placed now waits for this batch, and wins from the next. */
async function businessForSweep(tx: Tx, businessId: string) {
  const rows = await tx.$queryRaw<Array<{ held: boolean; overrides: RetentionOverrides }>>`
    SELECT legal_hold_at IS NOT NULL AS held, retention_overrides AS overrides FROM businesses WHERE id = ${businessId}::uuid FOR SHARE`;
  return rows[0] ?? null;
}

/**
 * A batch's reads in one round trip: the run's row locked for its report, and the business
 * under the share lock above (null when it is gone).
 */
async function lockRunAndBusiness(c: SqlClient, runId: string, businessId: string) {
  const found = await rows<{
    report: RetentionReport;
    held: boolean | null;
    overrides: RetentionOverrides | null;
  }>(
    c,
    Prisma.sql`SELECT r.report, b.held, b.overrides
      FROM (SELECT report FROM retention_runs WHERE id = ${runId}::uuid FOR UPDATE) r
      LEFT JOIN LATERAL (SELECT legal_hold_at IS NOT NULL AS held, retention_overrides AS overrides
        FROM businesses WHERE id = ${businessId}::uuid FOR SHARE) b ON TRUE`,
  );
  const row = found[0];
  if (!row) throw new Error(`retention run ${runId} not found`);
  return {
    report: row.report,
    business: row.held === null ? null : { held: row.held, overrides: row.overrides ?? {} },
  };
}

async function countSqlRows(c: SqlClient, sql: Prisma.Sql): Promise<number> {
  return (await rows<{ n: number }>(c, sql))[0]?.n ?? 0;
}

const cutoffFor = (report: RetentionReport, category: SweepCategory, overrides: RetentionOverrides) =>
  new Date(Date.parse(report.asOf) - retentionDays(category, overrides) * DAY_MS);

/** Receipt counts, named as the lead workflow's own receipts name them. */
function receiptCounts(
  category: SweepCategory,
  deleted: number,
  extra: { providerDeleted?: number; leadTexts?: number; emails?: number; jobInvoices?: number },
): Record<string, number> {
  if (category === 'billing_records' && extra.jobInvoices)
    return { billing_records: deleted, job_invoices: extra.jobInvoices };
  if (category !== 'messaging_logs') return { [category]: deleted };
  return {
    messages: deleted,
    provider_messages: extra.providerDeleted ?? 0,
    lead_texts: extra.leadTexts ?? 0,
    emails: extra.emails ?? 0,
  };
}

export function createRetentionSweepActivities(deps: SweepDeps) {
  const { db, sms, log } = deps;
  /**
   * Where a look for carrier copies found none, by walk (run, business, category): the look
   * reads every expired message left from its position, and expired leads get no new
   * messages (one would renew them), so later batches and later calls of the same walk from
   * that position on skip it; a walk that starts over before it looks again. Kept in this
   * process only: another worker, or this one after a restart, looks once more.
   */
  const carrierClearFrom = new Map<string, string | null>();

  /** One batch of one category for one business, with its report update and receipt, in one transaction. */
  async function sweepBatch(input: {
    runId: string;
    businessId: string;
    category: SweepCategory;
    batchSize: number;
    after: string | null;
    /** An earlier look of this walk found no carrier copies from before this position on: none to look for again. */
    skipCarrierLook?: boolean;
  }): Promise<{ done: boolean; deleted: number; after: string | null; copies: number; looked: boolean }> {
    const { runId, businessId, category, batchSize } = input;
    let after = input.after;
    // Messages with a copy at the carrier go there first, outside the transaction (a network
    // call each): a crash after it leaves the rows, and the next attempt deletes them (the
    // carrier answers 404 for a copy already gone, which counts as deleted).
    const carrier = category === 'messaging_logs' && sms.name !== 'local' ? sms.name : undefined;
    let copies: Array<{ id: string; providerId: string }> = [];
    const looked = !!carrier && !input.skipCarrierLook;
    if (looked) {
      copies = await withComplianceSql(db, async (c) => {
        const { report, business } = await lockRunAndBusiness(c, runId, businessId);
        if (!business || business.held || finished(report.cursor, businessId, category)) return [];
        return rows<{ id: string; providerId: string }>(
          c,
          selectCarrierBatchSql(
            sweepSource(category, businessId, cutoffFor(report, category, business.overrides)),
            carrier,
            batchSize,
            after,
          ),
        );
      });
      for (const [i, copy] of copies.entries()) {
        await sms.deleteMessage(copy.providerId);
        if (i % 50 === 49) heartbeat();
      }
    }

    const result = await withComplianceSql(db, async (c) => {
      const { report, business } = await lockRunAndBusiness(c, runId, businessId);
      if (finished(report.cursor, businessId, category)) return { done: true, deleted: 0, after };
      const cutoff = business ? cutoffFor(report, category, business.overrides) : new Date(0);
      const source = sweepSource(category, businessId, cutoff);
      let deleted = 0;
      let leadTexts = 0;
      let emails = 0;
      let jobInvoices = 0;
      let done: boolean;
      if (!business) {
        done = true;
      } else if (business.held) {
        // A business-wide hold keeps everything that has expired; it is counted, not touched.
        add(report, businessId, category, { keptByHold: await countSqlRows(c, countSql(source, 'all')) });
        done = true;
      } else if (copies.length > 0) {
        // This batch is the messages whose carrier copies were just deleted; the rest come after.
        deleted = await rowCount(
          c,
          deleteMessagesByIdSql(
            source,
            copies.map((c) => c.id),
          ),
        );
        done = false;
      } else {
        const [batch] = await rows<{ deleted: number; picked: number; last: string | null }>(
          c,
          deleteBatchSql(source, batchSize, { carrier, after }),
        );
        deleted = batch!.deleted;
        // The end of the walk is checked once more from the start: correctness never rests
        // on the order rows came back in, only the speed does.
        done = batch!.picked < batchSize && after === null;
        after = batch!.picked < batchSize ? null : (batch!.last ?? after);
        if (done && category === 'messaging_logs') {
          leadTexts = await rowCount(c, clearLeadTextsSql(businessId, cutoff, batchSize));
          done = leadTexts < batchSize;
        }
        if (done && category === 'messaging_logs') {
          emails = await rowCount(c, deleteEmailsSql(businessId, cutoff, batchSize));
          done = emails < batchSize;
        }
        if (done && category === 'billing_records') {
          jobInvoices = await rowCount(c, deleteJobInvoicesSql(businessId, cutoff, batchSize));
          done = jobInvoices < batchSize;
        }
      }
      if (business && !business.held) {
        const providerDeleted = copies.length;
        add(report, businessId, category, {
          deleted,
          ...(category === 'messaging_logs' ? { providerDeleted, leadTexts, emails } : {}),
          ...(jobInvoices ? { jobInvoices } : {}),
        });
        if (deleted + leadTexts + emails + jobInvoices > 0) {
          report.batches += 1;
          await appendReceiptSql(c, {
            businessId,
            subjectId: null,
            cause: `sweep:${runId}`,
            counts: receiptCounts(category, deleted, { providerDeleted, leadTexts, emails, jobInvoices }),
          });
        }
        // Rows a lead's hold keeps are counted once, when the pair is finished.
        if (done) add(report, businessId, category, { keptByHold: await countSqlRows(c, countSql(source, 'held')) });
      }
      if (done) report.cursor = { businessId, category };
      await rowCount(c, saveReportSql(runId, report));
      return { done, deleted: deleted + leadTexts + emails + jobInvoices, after };
    });
    await deps.onBatchCommitted?.({ runId, businessId, category, deleted: result.deleted });
    return { ...result, copies: copies.length, looked };
  }

  return {
    /** Creates the run's row, or reopens it when a run is resumed; the report keeps its progress. */
    async beginRetentionRun(input: {
      runId: string;
      businessId: string | null;
      dryRun: boolean;
      triggeredBy: string;
      categories: SweepCategory[];
    }): Promise<{ cursor: SweepCursor | null; dryRun: boolean }> {
      return withComplianceRole(db, async (tx) => {
        const existing = await tx.retentionRun.findUnique({ where: { id: input.runId } });
        if (!existing) {
          const startedAt = new Date();
          await tx.retentionRun.create({
            data: {
              id: input.runId,
              businessId: input.businessId,
              dryRun: input.dryRun,
              triggeredBy: input.triggeredBy,
              startedAt,
              report: emptyReport(startedAt, input.categories) as unknown as Prisma.InputJsonValue,
            },
          });
          return { cursor: null, dryRun: input.dryRun };
        }
        const report = existing.report as unknown as Partial<RetentionReport>;
        const fresh = report.asOf ? (report as RetentionReport) : emptyReport(existing.startedAt, input.categories);
        await tx.retentionRun.update({
          where: { id: input.runId },
          data: { status: 'running', finishedAt: null, report: fresh as unknown as Prisma.InputJsonValue },
        });
        return { cursor: fresh.cursor, dryRun: existing.dryRun };
      });
    },

    /** Businesses in id order from `from` (inclusive) or after `after`: the order a resumed run relies on. */
    async listSweepBusinesses(input: {
      businessId: string | null;
      from: string | null;
      after: string | null;
      limit: number;
    }): Promise<string[]> {
      return withComplianceRole(db, async (tx) => {
        const rows = await tx.business.findMany({
          where: {
            id: {
              ...(input.businessId ? { equals: input.businessId } : {}),
              ...(input.from ? { gte: input.from } : {}),
              ...(input.after ? { gt: input.after } : {}),
            },
          },
          orderBy: { id: 'asc' },
          take: input.limit,
          select: { id: true },
        });
        return rows.map((r) => r.id);
      });
    },

    /**
     * Deletes one category's expired rows of one business, batch after batch, for at most
     * `budgetMs`; the workflow calls again until done. Each batch is its own transaction.
     */
    async sweepRetentionCategory(input: {
      runId: string;
      businessId: string;
      category: SweepCategory;
      batchSize: number;
      budgetMs?: number;
      /** Where the previous call stopped (its `after`); null starts at the beginning, which is always correct. */
      after?: string | null;
    }): Promise<{ done: boolean; deleted: number; after: string | null }> {
      const until = Date.now() + (input.budgetMs ?? 5_000);
      let deleted = 0;
      let after = input.after ?? null;
      const walk = `${input.runId}/${input.businessId}/${input.category}`;
      for (;;) {
        const clearFrom = carrierClearFrom.get(walk);
        const skipCarrierLook =
          clearFrom !== undefined && (clearFrom === null || (after !== null && after >= clearFrom));
        const lookedFrom = after;
        const batch = await sweepBatch({ ...input, after, skipCarrierLook });
        deleted += batch.deleted;
        if (batch.looked && batch.copies === 0) {
          if (carrierClearFrom.size >= 10_000) carrierClearFrom.clear();
          carrierClearFrom.set(walk, lookedFrom);
        }
        after = batch.after;
        heartbeat();
        if (batch.done) carrierClearFrom.delete(walk);
        if (batch.done || Date.now() >= until) return { done: batch.done, deleted, after };
      }
    },

    /** Dry run for one business: what each category would lose and what holds keep, deleting nothing. */
    async previewRetention(input: { runId: string; businessId: string; categories: SweepCategory[] }): Promise<void> {
      await withComplianceRole(db, async (tx) => {
        const { report } = await lockRun(tx, input.runId);
        const business = await businessForSweep(tx, input.businessId);
        if (!business) return;
        for (const category of SWEEP_CATEGORIES.filter((c) => input.categories.includes(c))) {
          if (finished(report.cursor, input.businessId, category)) continue;
          const cutoff = cutoffFor(report, category, business.overrides);
          const source = sweepSource(category, input.businessId, cutoff);
          if (business.held) {
            add(report, input.businessId, category, { keptByHold: await count(tx, countSql(source, 'all')) });
          } else {
            const wouldDelete = await count(tx, countSql(source, 'free'));
            const leadTexts =
              category === 'messaging_logs' ? await count(tx, countLeadTextsSql(input.businessId, cutoff)) : 0;
            const emails =
              category === 'messaging_logs' ? await count(tx, countEmailsSql(input.businessId, cutoff)) : 0;
            const jobInvoices =
              category === 'billing_records' ? await count(tx, countJobInvoicesSql(input.businessId, cutoff)) : 0;
            add(report, input.businessId, category, {
              wouldDelete,
              ...(jobInvoices ? { jobInvoices } : {}),
              keptByHold: await count(tx, countSql(source, 'held')),
              ...(leadTexts ? { leadTexts } : {}),
              ...(emails ? { emails } : {}),
            });
            const samples = (report.samples[category] ??= []);
            if (wouldDelete > 0 && samples.length < SAMPLE_CAP) {
              const rows = await tx.$queryRaw<Array<{ id: string }>>(sampleSql(source, SAMPLE_CAP - samples.length));
              samples.push(...rows.map((r) => r.id));
            }
          }
          report.cursor = { businessId: input.businessId, category };
        }
        await saveReport(tx, input.runId, report);
      });
    },

    async finishRetentionRun(input: {
      runId: string;
      status: Exclude<RetentionRunStatus, 'running'>;
      error?: string;
    }): Promise<{ totals: RetentionReport['totals'] }> {
      return withComplianceRole(db, async (tx) => {
        const { report } = await lockRun(tx, input.runId);
        if (input.error) report.error = input.error;
        // Webhook delivery logs have one fixed 30-day life, not a per-business category.
        if (input.status === 'completed') await deleteExpiredWebhookDeliveriesAllTenants(tx, new Date());
        await tx.retentionRun.update({
          where: { id: input.runId },
          data: { status: input.status, finishedAt: new Date(), report: report as unknown as Prisma.InputJsonValue },
        });
        log.info({ runId: input.runId, status: input.status, batches: report.batches }, 'retention run finished');
        return { totals: report.totals };
      });
    },
  };
}

function heartbeat() {
  try {
    Context.current().heartbeat();
  } catch {
    // Called outside an activity (a direct call in a script): nothing to report to.
  }
}
