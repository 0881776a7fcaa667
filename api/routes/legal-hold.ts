import { z } from 'zod';
import { withTenant } from '../../db/tenant';
import { legalHoldSignal, leadWorkflowId } from '../../workflows/lead/definitions';
import { holdReleasedSignal, privacyRequestWorkflowId } from '../../workflows/privacy/definitions';
import { audit } from '../audit';
import { clientAddress } from '../auth/authenticate';
import type { ApiDeps } from '../deps';
import { notFound } from '../http/errors';
import { defineRoute } from '../http/route';
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

/**
 * A legal hold pauses every deletion path for one lead — its retention timer, the sweeps
 * and erasure requests — until released. Who, why and when are kept on the lead.
 */
export function legalHoldRoutes(deps: ApiDeps) {
  const isUuid = (v: string) => /^[0-9a-f-]{36}$/i.test(v);

  async function setHold(businessId: string, leadId: string, hold: { reason: string; by: string; at: Date } | null) {
    const lead = await withTenant(deps.db, businessId, async (tx) => {
      const found = await tx.lead.findUnique({ where: { id: leadId } });
      if (!found) return null;
      return tx.lead.update({
        where: { id: leadId },
        data: { legalHoldReason: hold?.reason ?? null, legalHoldBy: hold?.by ?? null, legalHoldAt: hold?.at ?? null },
      });
    });
    if (!lead) throw notFound('lead');
    await deps
      .withTemporal(() =>
        deps.temporal.workflow.getHandle(leadWorkflowId(leadId)).signal(legalHoldSignal, { held: hold !== null }),
      )
      .catch((err: { name?: string }) => {
        // A finished workflow has nothing left to delete; the sweeps read the column.
        if (err.name !== 'WorkflowNotFoundError') throw err;
      });
    return lead;
  }

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
      responses: { 200: { description: 'Held', schema: ZHoldSchema } },
      handler: async ({ params, body, auth, req }) => {
        if (!isUuid(params.id)) throw notFound('lead');
        const lead = await setHold(auth.businessId, params.id, {
          reason: body.reason,
          by: `key:${auth.keyId}`,
          at: deps.now(),
        });
        await withTenant(deps.db, auth.businessId, (tx) =>
          audit(tx, auth, { action: 'hold', entity: 'lead', entityId: params.id }, clientAddress(req)),
        );
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
      responses: { 200: { description: 'Released', schema: ZHoldSchema } },
      handler: async ({ params, auth, req }) => {
        if (!isUuid(params.id)) throw notFound('lead');
        const lead = await setHold(auth.businessId, params.id, null);
        const waiting = await withTenant(deps.db, auth.businessId, async (tx) => {
          await audit(tx, auth, { action: 'release', entity: 'lead', entityId: params.id }, clientAddress(req));
          return tx.privacyRequest.findMany({
            where: { leadId: params.id, status: 'waiting_legal_hold' },
            select: { id: true },
          });
        });
        // Erasure requests that waited on this hold resume now (they also re-read the hold hourly).
        for (const { id } of waiting) {
          await deps
            .withTemporal(() =>
              deps.temporal.workflow
                .getHandle(privacyRequestWorkflowId(id))
                .signal(holdReleasedSignal, { at: deps.now().toISOString() }),
            )
            .catch((err: { name?: string }) => {
              if (err.name !== 'WorkflowNotFoundError') throw err;
            });
        }
        return { status: 200, body: view(lead) };
      },
    }),
  ];
}
