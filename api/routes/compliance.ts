import { z } from 'zod';
import { withTenant } from '../../db/tenant';
import { audit } from '../audit';
import { clientAddress } from '../auth/authenticate';
import type { ApiDeps } from '../deps';
import { AppError } from '../http/errors';
import { defineRoute } from '../http/route';
import { page } from '../http/schemas';

const ZReceiptSchema = z
  .object({
    id: z.string(),
    seq: z.string(),
    subjectId: z.string().nullable(),
    cause: z.string(),
    counts: z.record(z.string(), z.number()),
    deletedAt: z.iso.datetime(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .openapi('DeletionReceipt');

/** Proof of deletion for compliance staff: categories and counts, cause, time and the hash chain — never a person. */
export function complianceRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/compliance/deletion-receipts',
      tag: 'Compliance',
      summary: 'Deletion receipts of this business, newest first, with their hash-chain links',
      security: 'apiKey',
      roles: ['owner', 'compliance'],
      query: z.object({
        limit: z.coerce.number().int().min(1, 'must be at least 1').max(200, 'must be at most 200').default(50),
        before: z.string().regex(/^\d{1,18}$/, 'must be a receipt sequence number').optional().openapi({ description: 'Cursor: the seq of the last receipt of the previous page' }),
      }),
      responses: { 200: { description: 'Receipts', schema: page(ZReceiptSchema) } },
      handler: async ({ query, auth, req }) => {
        if (query.before && BigInt(query.before) < 1n) throw new AppError('bad_request', 'before: must be positive');
        const rows = await withTenant(deps.db, auth.businessId, async (tx) => {
          const found = await tx.deletionReceipt.findMany({
            where: query.before ? { seq: { lt: BigInt(query.before) } } : {},
            orderBy: { seq: 'desc' },
            take: query.limit + 1,
          });
          await audit(tx, auth, { action: 'list', entity: 'deletion_receipt' }, clientAddress(req));
          return found;
        });
        const data = rows.slice(0, query.limit);
        return {
          status: 200,
          body: {
            data: data.map((r) => ({
              id: r.id,
              seq: String(r.seq),
              subjectId: r.subjectId,
              cause: r.cause,
              counts: r.counts as Record<string, number>,
              deletedAt: r.deletedAt.toISOString(),
              prevHash: r.prevHash,
              hash: r.hash,
            })),
            next: rows.length > query.limit ? String(data[data.length - 1]!.seq) : null,
          },
        };
      },
    }),
  ];
}
