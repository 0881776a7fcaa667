import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Job, JobRefusal, JobStatus, JobUpdate } from '../../workflows/lead/definitions';
import { AppError, notFound } from '../app-error';
import { isUuid } from '../../domain/ids';
import {
  isWorkflowNotFound,
  updateRefusal,
  updateRefusalType,
  type LeadWorkflowClient,
} from '../leads/lead-workflow-client';

const REFUSALS = new Set<string>(['no_job', 'invalid_transition', 'erased'] satisfies JobRefusal[]);

/** The refusal in the caller's words, naming the job's current status; `details` carries both for a client to branch on. */
function refused(reason: JobRefusal, current: JobStatus | null, to: JobStatus) {
  const message =
    reason === 'erased'
      ? 'the lead was erased'
      : current === null
        ? 'the lead has no job: nothing is booked'
        : `status: the job is ${current} and cannot become ${to}`;
  return new AppError('conflict', message, { reason, current });
}

/** The current status the workflow's validator refused from (its failure's first detail). */
const refusedFrom = (err: unknown): JobStatus | null =>
  err instanceof WorkflowUpdateFailedError
    ? (((err.cause as { details?: unknown[] } | undefined)?.details?.[0] as JobStatus | null | undefined) ?? null)
    : null;

/**
 * Marks a lead's job through its workflow (the jobUpdate update), which takes its turn with
 * the conversation, checks the move from the current status and texts the lead "on my way"
 * or "finished". Another business's lead is not found; a refused move is a 409.
 */
export async function updateJob(
  deps: { leads: LeadWorkflowClient },
  opts: { businessId: string; leadId: string; update: JobUpdate },
): Promise<Job> {
  if (!isUuid(opts.leadId) || (await deps.leads.ownerOf(opts.leadId)) !== opts.businessId) throw notFound('lead');
  const to = opts.update.status;
  let result: Awaited<ReturnType<LeadWorkflowClient['updateJob']>>;
  try {
    result = await deps.leads.updateJob(opts.leadId, opts.update);
  } catch (err) {
    const type = updateRefusalType(err);
    if (type !== null && REFUSALS.has(type)) throw refused(type as JobRefusal, refusedFrom(err), to);
    const refusal = updateRefusal(err);
    if (refusal !== null) throw new AppError('conflict', refusal);
    if (isWorkflowNotFound(err)) throw notFound('lead');
    throw err;
  }
  if (!result.ok) throw refused(result.reason, result.current, to);
  return result.job;
}
