import type { Client } from '@temporalio/client';
import { privacyQueueFor } from '../temporal.config';
import type { accountWorkflow } from '../workflows/account/account-workflow';
import {
  accountSubscriptionSignal,
  accountWorkflowId,
  type AccountWorkflowInput,
} from '../workflows/account/definitions';
import { legalHoldSignal } from '../workflows/lead/definitions';
import { ACCOUNT_STATUS, BUSINESS_ID } from '../workflows/search-attributes';

interface Target {
  temporal: Client;
  businessId: string;
  taskQueue?: string;
}

/**
 * One account workflow per business, whoever gets there first: business creation, the
 * seed, a Stripe event or a tenant hold. USE_EXISTING attaches to the running one; one
 * that completed (purged, its billing records gone) is never started again for the id,
 * while one that failed or was terminated by an operator restarts from the business row.
 */
function startOptions({ businessId, taskQueue }: Omit<Target, 'temporal'>) {
  return {
    workflowId: accountWorkflowId(businessId),
    // Housekeeping (pauses, the tenant purge) on the privacy queue, away from first replies.
    taskQueue: privacyQueueFor(taskQueue),
    args: [{ businessId }] as [AccountWorkflowInput],
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' as const,
    typedSearchAttributes: [
      { key: BUSINESS_ID, value: businessId },
      { key: ACCOUNT_STATUS, value: 'active' },
    ],
    memo: { label: `Account ${businessId.slice(0, 8)}` },
  };
}

export async function ensureAccountWorkflow(target: Target): Promise<void> {
  await target.temporal.workflow
    .start<typeof accountWorkflow>('accountWorkflow', startOptions(target))
    .catch((err: { name?: string }) => {
      // A completed run: the account's life is over, nothing to own.
      if (err.name !== 'WorkflowExecutionAlreadyStartedError') throw err;
    });
}

/** The Stripe webhook stored a new subscription state: the account workflow acts on it. */
export async function signalSubscription(target: Target, update: { status: string; at: string }): Promise<void> {
  await target.temporal.workflow.signalWithStart<typeof accountWorkflow, [typeof update]>('accountWorkflow', {
    ...startOptions(target),
    signal: accountSubscriptionSignal,
    signalArgs: [update],
  });
}

/** A tenant legal hold placed or released: the account workflow and, through it, every lead. */
export async function signalTenantHold(target: Target, held: boolean): Promise<void> {
  await target.temporal.workflow.signalWithStart<typeof accountWorkflow, [{ held: boolean }]>('accountWorkflow', {
    ...startOptions(target),
    signal: legalHoldSignal,
    signalArgs: [{ held }],
  });
}
