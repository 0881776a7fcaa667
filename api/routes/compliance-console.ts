import { z } from 'zod';
import { checkChain, chainOf } from '../../db/deletion-receipts';
import { withTenant } from '../../db/tenant';
import { audit } from '../audit';
import { clientAddress } from '../http/client-address';
import type { ApiDeps } from '../deps';
import { defineRoute } from '../http/route';

const ROLES: ['owner', 'compliance'] = ['owner', 'compliance'];

const ZChainCheckSchema = z
  .object({
    ok: z.boolean(),
    checked: z.number().int().openapi({ description: 'Receipts of this business whose hash was recomputed' }),
    brokenAtSeq: z.string().nullable().openapi({ description: 'The first receipt whose link does not match' }),
  })
  .openapi('DeletionReceiptChainCheck');

const ZRetentionRunSummarySchema = z
  .object({
    id: z.string(),
    status: z.enum(['running', 'completed', 'failed']),
    dryRun: z.boolean(),
    triggeredBy: z.string(),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().nullable(),
  })
  .openapi('RetentionRunSummary');

const ZLeadHoldSchema = z
  .object({
    leadId: z.string(),
    reason: z.string().nullable(),
    placedBy: z.string().nullable(),
    placedAt: z.iso.datetime(),
  })
  .openapi('LeadLegalHoldSummary');

/**
 * What the compliance console lists beside the requests: recent retention runs, the leads
 * under a legal hold (ids and reasons, never the person), and this business's receipt chain
 * recomputed link by link.
 */
export function complianceConsoleRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/compliance/retention-runs',
      tag: 'Compliance',
      summary:
        'This business’s retention runs, newest first (the report of each at /v1/compliance/retention-runs/{id})',
      security: 'apiKey',
      roles: ROLES,
      query: z.object({
        limit: z.coerce.number().int().min(1, 'must be at least 1').max(100, 'must be at most 100').default(20),
      }),
      responses: { 200: { description: 'Runs', schema: z.object({ data: z.array(ZRetentionRunSummarySchema) }) } },
      handler: async ({ query, auth }) => {
        // Row-level security shows only this business's runs, not the platform-wide sweeps.
        const rows = await withTenant(deps.db, auth.businessId, (tx) =>
          tx.retentionRun.findMany({ orderBy: [{ startedAt: 'desc' }, { id: 'desc' }], take: query.limit }),
        );
        return {
          status: 200,
          body: {
            data: rows.map((r) => ({
              id: r.id,
              status: r.status as 'running' | 'completed' | 'failed',
              dryRun: r.dryRun,
              triggeredBy: r.triggeredBy,
              startedAt: r.startedAt.toISOString(),
              finishedAt: r.finishedAt?.toISOString() ?? null,
            })),
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/compliance/deletion-receipts/chain',
      tag: 'Compliance',
      summary: 'Recompute this business’s deletion-receipt hash chain: ok, how many links, the first broken one',
      security: 'apiKey',
      roles: ROLES,
      responses: { 200: { description: 'The check', schema: ZChainCheckSchema } },
      handler: async ({ auth, req }) => {
        const chain = chainOf(auth.businessId);
        const rows = await withTenant(deps.db, auth.businessId, async (tx) => {
          const found = await tx.deletionReceipt.findMany({ where: { chain }, orderBy: { seq: 'asc' } });
          await audit(tx, auth, { action: 'list', entity: 'deletion_receipt' }, clientAddress(req));
          return found;
        });
        const check = checkChain(chain, rows);
        return { status: 200, body: { ok: check.ok, checked: check.checked, brokenAtSeq: check.brokenAtSeq } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/compliance/legal-holds',
      tag: 'Compliance',
      summary:
        'Leads under a legal hold: id, reason, who placed it and when (the tenant-wide hold is /v1/business/legal-hold)',
      security: 'apiKey',
      roles: ROLES,
      responses: { 200: { description: 'Holds', schema: z.object({ data: z.array(ZLeadHoldSchema) }) } },
      handler: async ({ auth, req }) => {
        const rows = await withTenant(deps.db, auth.businessId, async (tx) => {
          const found = await tx.lead.findMany({
            where: { legalHoldAt: { not: null } },
            orderBy: [{ legalHoldAt: 'desc' }, { id: 'asc' }],
            take: 500,
            select: { id: true, legalHoldReason: true, legalHoldBy: true, legalHoldAt: true },
          });
          await audit(tx, auth, { action: 'list', entity: 'lead' }, clientAddress(req));
          return found;
        });
        return {
          status: 200,
          body: {
            data: rows.map((l) => ({
              leadId: l.id,
              reason: l.legalHoldReason,
              placedBy: l.legalHoldBy,
              placedAt: l.legalHoldAt!.toISOString(),
            })),
          },
        };
      },
    }),
  ];
}
