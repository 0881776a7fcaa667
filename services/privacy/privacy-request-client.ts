import type { Client } from '@temporalio/client';
import { privacyQueueFor, TASK_QUEUES } from '../../temporal.config';
import type { privacyRequestWorkflow } from '../../workflows/privacy/privacy-request-workflow';
import {
  holdReleasedSignal,
  privacyRequestWorkflowId,
  resendCodeSignal,
  verificationSignal,
  type PrivacyRequestInput,
} from '../../workflows/privacy/definitions';
import { BUSINESS_ID } from '../../workflows/search-attributes';
import { isWorkflowNotFound } from '../leads/lead-workflow-client';

/** A data-subject request's workflow: its id, its start, and the signals callers send it. */
export function privacyRequestClient({
  temporal,
  taskQueue = TASK_QUEUES.leads,
  call,
}: {
  temporal: Client;
  taskQueue?: string;
  call?: <T>(fn: () => Promise<T>) => Promise<T>;
}) {
  const run = call ?? (<T>(fn: () => Promise<T>) => fn());
  const handle = (requestId: string) => temporal.workflow.getHandle(privacyRequestWorkflowId(requestId));
  return {
    async start(input: PrivacyRequestInput): Promise<void> {
      await run(() =>
        temporal.workflow.start<typeof privacyRequestWorkflow>('privacyRequestWorkflow', {
          taskQueue: privacyQueueFor(taskQueue),
          workflowId: privacyRequestWorkflowId(input.requestId),
          args: [input],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [{ key: BUSINESS_ID, value: input.businessId }],
          memo: { label: `Privacy request ${input.requestId.slice(0, 8)} (${input.type})` },
        }),
      );
    },
    verification: (requestId: string, outcome: 'verified' | 'locked') =>
      run(() => handle(requestId).signal(verificationSignal, { outcome })),
    resendCode: (requestId: string, at: string) => run(() => handle(requestId).signal(resendCodeSignal, { at })),
    /** An erasure that waited on a legal hold goes on; a request whose workflow is gone has nothing to resume. */
    async holdReleased(requestId: string, at: string): Promise<void> {
      try {
        await run(() => handle(requestId).signal(holdReleasedSignal, { at }));
      } catch (err) {
        if (!isWorkflowNotFound(err)) throw err;
      }
    },
  };
}

export type PrivacyRequestClient = ReturnType<typeof privacyRequestClient>;
