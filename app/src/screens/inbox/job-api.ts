import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, problemText } from '../../api/client';
import type { components } from '../../api/schema';

export type Job = NonNullable<components['schemas']['Job']>;
export type JobStatus = Job['status'];
export type JobUpdate = components['schemas']['JobUpdate'];

export const money = (cents: number) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(cents / 100);

export const JOB_LABELS: Record<JobStatus, string> = {
  scheduled: 'Scheduled',
  en_route: 'On the way',
  in_progress: 'In progress',
  finished: 'Finished',
  no_show: 'No-show',
  cancelled: 'Cancelled',
};

/** Where a job may go from each status (the lead's workflow decides; this only offers the buttons). */
export const NEXT_STEPS: Record<JobStatus, readonly JobStatus[]> = {
  scheduled: ['en_route', 'in_progress'],
  en_route: ['in_progress'],
  in_progress: ['finished'],
  finished: [],
  no_show: [],
  cancelled: [],
};

interface JobProblem {
  error?: { code?: string; message?: string; details?: { reason?: string; current?: JobStatus | null } };
}

/** A refused change in plain words: the 409's reason and the job's current status, else the API's message. */
export function jobProblemText(error: unknown, to: JobStatus): string {
  const details = (error as JobProblem | undefined)?.error?.details;
  switch (details?.reason) {
    case 'invalid_transition':
      return details.current
        ? `Not changed: this job is ${JOB_LABELS[details.current].toLowerCase()} now, so it cannot be marked ${JOB_LABELS[to].toLowerCase()}.`
        : `Not changed: this job cannot be marked ${JOB_LABELS[to].toLowerCase()} now.`;
    case 'no_job':
      return 'Not changed: nothing is booked for this lead, so there is no job to mark.';
    case 'erased':
      return 'Not changed: this lead was erased.';
    default:
      return problemText(error, 'The job was not updated. Try again.');
  }
}

/** POST /v1/leads/{id}/job; the lead (and its job) is read again either way, so a refusal shows the real status. */
export function useUpdateJob(leadId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (update: JobUpdate) => {
      const { data, error } = await api.POST('/v1/leads/{id}/job', { params: { path: { id: leadId } }, body: update });
      if (error || !data) throw new Error(jobProblemText(error, update.status));
      return data;
    },
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: ['lead', leadId] });
      await queryClient.invalidateQueries({ queryKey: ['appointments'] });
    },
  });
}

/** "120", "$1,200.50" → cents; null when empty; undefined when it is not an amount. */
export function dollarsToCents(text: string): number | null | undefined {
  const plain = text.replace(/[$,\s]/g, '');
  if (plain === '') return null;
  if (!/^\d{1,7}(\.\d{1,2})?$/.test(plain)) return undefined;
  const [whole, fraction = ''] = plain.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}
