import { z } from 'zod';
import { placeLeadLegalHold } from '../../services/leads/place-lead-legal-hold';
import { releaseLeadLegalHold } from '../../services/leads/release-lead-legal-hold';
import { actorOf } from '../audit';
import type { ApiDeps } from '../deps';
import { clientAddress } from '../http/client-address';
import { defineRoute } from '../http/route';
import { ZErrorSchema } from '../http/schemas';
import { text, ZLeadIdParamsSchema } from './lead-schemas';

const ZHoldSchema = z
  .object({
    leadId: z.string(),
    held: z.boolean(),
    reason: z.string().nullable(),
    placedBy: z.string().nullable(),
    placedAt: z.iso.datetime().nullable(),
  })
  .openapi('LegalHold');

const view = (l: {
  id: string;
  legalHoldReason: string | null;
  legalHoldBy: string | null;
  legalHoldAt: Date | null;
}) => ({
  leadId: l.id,
  held: l.legalHoldAt !== null,
  reason: l.legalHoldReason,
  placedBy: l.legalHoldBy,
  placedAt: l.legalHoldAt?.toISOString() ?? null,
});

const recording = {
  409: {
    description: 'The lead was accepted and is still being recorded: retry after Retry-After seconds',
    schema: ZErrorSchema,
  },
};

/**
 * A legal hold pauses every deletion path for one lead — its retention timer, the sweeps
 * and erasure requests — until released. Who, why and when are kept on the lead.
 */
export function legalHoldRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'put',
      path: '/v1/leads/:id/legal-hold',
      tag: 'Compliance',
      summary: 'Place a legal hold on a lead (pauses every deletion of its data)',
      security: 'apiKey',
      roles: ['owner', 'compliance'],
      params: ZLeadIdParamsSchema,
      body: z.strictObject({ reason: text(500).pipe(z.string().min(3, 'must say why')) }),
      responses: { 200: { description: 'Held', schema: ZHoldSchema }, ...recording },
      handler: async ({ params, body, auth, req }) => {
        const lead = await placeLeadLegalHold(deps, {
          actor: actorOf(auth, clientAddress(req)),
          leadId: params.id,
          reason: body.reason,
        });
        return { status: 200, body: view(lead) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/leads/:id/legal-hold',
      tag: 'Compliance',
      summary: 'Release a legal hold (deletion timers resume)',
      security: 'apiKey',
      roles: ['owner', 'compliance'],
      params: ZLeadIdParamsSchema,
      responses: { 200: { description: 'Released', schema: ZHoldSchema }, ...recording },
      handler: async ({ params, auth, req }) => {
        const lead = await releaseLeadLegalHold(deps, { actor: actorOf(auth, clientAddress(req)), leadId: params.id });
        return { status: 200, body: view(lead) };
      },
    }),
  ];
}
