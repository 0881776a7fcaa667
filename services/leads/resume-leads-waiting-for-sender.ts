import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { leadWorkflowId, senderConfiguredSignal } from '../../workflows/lead/definitions';

/** Leads signalled at a time, so a large business does not open thousands of calls at once. */
const BATCH = 50;

/**
 * After a business got a sender number: its leads that never got their first text (status
 * `new`, the ones that can be waiting for a sender) try again now instead of at their next
 * re-check. A lead that was not waiting ignores the signal; one whose workflow has ended is skipped.
 */
export async function resumeLeadsWaitingForSender(
  deps: { db: Db; temporal: Client },
  opts: { businessId: string },
): Promise<{ signalled: number }> {
  const leads = await withTenant(deps.db, opts.businessId, (tx) =>
    tx.lead.findMany({ where: { businessId: opts.businessId, status: 'new', erasedAt: null }, select: { id: true } }),
  );
  let signalled = 0;
  for (let i = 0; i < leads.length; i += BATCH) {
    const results = await Promise.all(
      leads.slice(i, i + BATCH).map(async ({ id }) => {
        try {
          await deps.temporal.workflow.getHandle(leadWorkflowId(id)).signal(senderConfiguredSignal);
          return true;
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return false;
          throw err;
        }
      }),
    );
    signalled += results.filter(Boolean).length;
  }
  return { signalled };
}
