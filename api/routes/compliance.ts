import { z } from 'zod';
import { withTenant } from '../../db/tenant';
import { isUuid } from '../../domain/ids';
import { startRetentionRun } from '../../services/retention/start-retention-run';
import { SWEEP_CATEGORIES, type RetentionReport } from '../../workflows/retention/definitions';
import { actorOf, audit } from '../audit';
import { clientAddress } from '../http/client-address';
import type { ApiDeps } from '../deps';
import { AppError, notFound } from '../http/errors';
import { defineRoute } from '../http/route';
import { page, ZIdParamSchema } from '../http/schemas';

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

const ZCountsSchema = z.object({
  deleted: z.number().int(),
  wouldDelete: z.number().int(),
  keptByHold: z.number().int(),
  providerDeleted: z.number().int().optional(),
  leadTexts: z
    .number()
    .int()
    .optional()
    .openapi({ description: 'messaging_logs: capture texts on lead rows cleared (or, in a dry run, to clear)' }),
});
const ZSweepCategorySchema = z.enum(SWEEP_CATEGORIES);
const ZRetentionRunSchema = z
  .object({
    id: z.string(),
    status: z.enum(['running', 'completed', 'failed']),
    dryRun: z.boolean(),
    triggeredBy: z.string(),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().nullable(),
    report: z.object({
      asOf: z.iso.datetime().openapi({ description: 'Rows older than this minus their retention period were expired' }),
      categories: z.array(ZSweepCategorySchema),
      totals: z.partialRecord(ZSweepCategorySchema, ZCountsSchema),
      samples: z
        .partialRecord(ZSweepCategorySchema, z.array(z.string()))
        .openapi({ description: 'Dry runs: a few ids of what would be deleted' }),
      batches: z.number().int(),
      error: z.string().optional(),
    }),
  })
  .openapi('RetentionRun');

/** Proof of deletion for compliance staff: categories and counts, cause, time and the hash chain — never a person. */
export function complianceRoutes(deps: ApiDeps) {
  const runView = (r: {
    id: string;
    status: string;
    dryRun: boolean;
    triggeredBy: string;
    startedAt: Date;
    finishedAt: Date | null;
    report: unknown;
  }) => ({
    id: r.id,
    status: r.status,
    dryRun: r.dryRun,
    triggeredBy: r.triggeredBy,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    report: r.report as RetentionReport,
  });

  return [
    defineRoute({
      method: 'post',
      path: '/v1/compliance/retention-runs',
      tag: 'Compliance',
      summary: 'Start a retention sweep of this business (dry run: count what would go, delete nothing)',
      description:
        'Roles: owner, compliance. Deletes what has expired under the retention periods (the business may have shortened them), in bounded batches, each with a deletion receipt. Legal holds keep their rows and are counted. Platform-wide runs come from the daily schedule.',
      security: 'apiKey',
      roles: ['owner', 'compliance'],
      body: z.strictObject({
        dryRun: z.boolean().default(false),
        categories: z.array(ZSweepCategorySchema).min(1, 'must name at least one category').optional(),
      }),
      responses: {
        202: {
          description: 'Started',
          schema: z
            .object({ id: z.string(), status: z.literal('running'), dryRun: z.boolean() })
            .openapi('RetentionRunStarted'),
        },
      },
      handler: async ({ body, auth, req }) => {
        const { id } = await startRetentionRun(
          { ...deps, call: deps.withTemporal },
          { actor: actorOf(auth, clientAddress(req)), dryRun: body.dryRun, categories: body.categories },
        );
        return {
          status: 202,
          body: { id, status: 'running', dryRun: body.dryRun },
          headers: { Location: `/v1/compliance/retention-runs/${id}` },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/compliance/retention-runs/:id',
      tag: 'Compliance',
      summary: 'A retention run and its report: per category deleted, would delete, kept by a legal hold',
      security: 'apiKey',
      roles: ['owner', 'compliance'],
      params: ZIdParamSchema,
      responses: { 200: { description: 'The run', schema: ZRetentionRunSchema } },
      handler: async ({ params, auth }) => {
        if (!isUuid(params.id)) throw notFound('retention run');
        // Row-level security shows only this business's runs: another tenant's id is a 404.
        const run = await withTenant(deps.db, auth.businessId, (tx) =>
          tx.retentionRun.findUnique({ where: { id: params.id } }),
        );
        if (!run) throw notFound('retention run');
        return { status: 200, body: runView(run) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/compliance/deletion-receipts',
      tag: 'Compliance',
      summary: 'Deletion receipts of this business, newest first, with their hash-chain links',
      security: 'apiKey',
      roles: ['owner', 'compliance'],
      query: z.object({
        limit: z.coerce.number().int().min(1, 'must be at least 1').max(200, 'must be at most 200').default(50),
        before: z
          .string()
          .regex(/^\d{1,18}$/, 'must be a receipt sequence number')
          .optional()
          .openapi({ description: 'Cursor: the seq of the last receipt of the previous page' }),
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
