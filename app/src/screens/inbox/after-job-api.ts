import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, problemText } from '../../api/client';
import type { components } from '../../api/schema';

export type Invoice = NonNullable<components['schemas']['LeadInvoice']>;
export type ReviewRequest = NonNullable<components['schemas']['LeadReviewRequest']>;

export const INVOICE_LABELS: Record<Invoice['status'], string> = {
  creating: 'Being created',
  open: 'Open (unpaid)',
  paid: 'Paid',
  failed: 'Not created: Stripe refused it — invoice this job by hand',
};

/** A refused stop in plain words: the status says more than the API's generic message. */
export function stopProblemText(status: number | undefined, error: unknown): string {
  if (status === 409) return 'Not stopped: the review request cannot be stopped now (it was sent or ended already).';
  if (status === 404) return 'Not stopped: this lead’s workflow has ended, so no review text is pending.';
  return problemText(error, 'The review request was not stopped. Try again.');
}

/** POST /v1/leads/{id}/review-request/stop; the lead is read again either way, so the screen shows where it stands. */
export function useStopReviewRequest(leadId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      const { error, response } = await api.POST('/v1/leads/{id}/review-request/stop', {
        params: { path: { id: leadId } },
      });
      if (error || !response.ok) throw new Error(stopProblemText(response.status, error));
    },
    // The workflow takes the signal a moment after the 202: read the lead again until it shows.
    onSettled: async () => {
      for (let i = 0; i < 10; i += 1) {
        await queryClient.invalidateQueries({ queryKey: ['lead', leadId] });
        const lead = queryClient.getQueryData<{ workflow: { reviewRequest: ReviewRequest | null } | null }>([
          'lead',
          leadId,
        ]);
        if (!lead?.workflow?.reviewRequest?.stoppable) return;
        await new Promise((r) => setTimeout(r, 300));
      }
    },
  });
}
