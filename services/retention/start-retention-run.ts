import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { privacyQueueFor } from '../../temporal.config';
import {
  emptyReport,
  retentionRunWorkflowId,
  SWEEP_CATEGORIES,
  type SweepCategory,
} from '../../workflows/retention/definitions';
import { recordAudit, type Actor } from '../audit-log';

/**
 * A retention sweep of one business: the run's row first (its report fills in as it goes),
 * then its workflow. A dry run counts what would go and deletes nothing.
 */
export async function startRetentionRun(
  deps: {
    db: Db;
    temporal: Client;
    taskQueue?: string;
    now: () => Date;
    call?: <T>(fn: () => Promise<T>) => Promise<T>;
  },
  opts: { actor: Actor; dryRun: boolean; categories?: SweepCategory[] },
): Promise<{ id: string; dryRun: boolean }> {
  const { actor, dryRun } = opts;
  const id = randomUUID();
  const startedAt = deps.now();
  const categories = SWEEP_CATEGORIES.filter((c) => !opts.categories || opts.categories.includes(c));
  const triggeredBy = `key:${actor.keyId}`;
  await withTenant(deps.db, actor.businessId, async (tx) => {
    await tx.retentionRun.create({
      data: {
        id,
        businessId: actor.businessId,
        dryRun,
        triggeredBy,
        startedAt,
        report: emptyReport(startedAt, categories) as object,
      },
    });
    await recordAudit(tx, actor, { action: dryRun ? 'read' : 'delete', entity: 'retention_run', entityId: id });
  });
  const run = deps.call ?? (<T>(fn: () => Promise<T>) => fn());
  await run(() =>
    deps.temporal.workflow.start('retentionSweepWorkflow', {
      taskQueue: privacyQueueFor(deps.taskQueue),
      workflowId: retentionRunWorkflowId(id),
      args: [{ runId: id, businessId: actor.businessId, dryRun, categories, triggeredBy }],
    }),
  );
  return { id, dryRun };
}
