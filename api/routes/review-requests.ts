import { z } from 'zod';
import { stopReviewRequest } from '../../services/invoices/stop-review-request';
import type { ApiDeps } from '../deps';
import { actorOf } from '../audit';
import { clientAddress } from '../http/client-address';
import { defineRoute } from '../http/route';
import { ZLeadIdParamsSchema } from './lead-schemas';

const ZReviewStopAcceptedSchema = z
  .object({ id: z.uuid(), status: z.literal('accepted') })
  .openapi('ReviewRequestStopAccepted');

/** The business's say over the review request its lead gets after a job. */
export function reviewRequestRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/leads/:id/review-request/stop',
      operationId: 'stopReviewRequest',
      tag: 'Leads',
      summary: 'Stop the lead’s review request and its reminder',
      description:
        'Roles: owner, operator. The review text waiting to go out (after a paid invoice, or a finished job with nothing invoiced) is not sent, and the reminder of one already sent is not either. Nothing pending: unchanged, so a repeat is harmless. A reply from the lead, STOP, or a person’s text to the lead (handoff) stop them too.',
      security: 'apiKey',
      roles: ['owner', 'operator'],
      params: ZLeadIdParamsSchema,
      responses: { 202: { description: 'The workflow has the request', schema: ZReviewStopAcceptedSchema } },
      handler: async ({ params, auth, req }) => {
        await stopReviewRequest(
          { db: deps.db, leads: deps.leads },
          { actor: actorOf(auth, clientAddress(req)), leadId: params.id },
        );
        return { status: 202, body: { id: params.id, status: 'accepted' as const } };
      },
    }),
  ];
}
