import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Prisma, PrivacyRequest } from '@prisma/client';
import { withTenant } from '../../db/tenant';
import { codeMatches, correctionContext, type PrivacyKeys } from '../../domain/crypto/privacy-keys';
import type { OutcomeJson } from '../../activities/privacy/privacy-deps';
import type { privacyRequestWorkflow } from '../../workflows/privacy/privacy-request-workflow';
import {
  DAY_MS,
  DUE_AFTER_DAYS,
  privacyRequestWorkflowId,
  resendCodeSignal,
  verificationSignal,
  type PrivacyRequestInput,
  type PrivacyRequestType,
  type VerificationMethod,
} from '../../workflows/privacy/definitions';
import { BUSINESS_ID } from '../../workflows/search-attributes';
import { audit } from '../audit';
import { clientAddress } from '../auth/authenticate';
import type { ApiDeps } from '../deps';
import { AppError, notFound } from '../http/errors';
import { defineRoute } from '../http/route';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { page, ZErrorSchema } from '../http/schemas';
import { buildSubjectExport } from './privacy-export';
import {
  ZPrivacyIdParamsSchema,
  ZPrivacyRequestCreateSchema,
  ZPrivacyRequestSchema,
  ZSubjectExportSchema,
  ZVerifySchema,
} from './privacy-schemas';

/** Wrong codes a request accepts before it is locked (rejected). */
export const MAX_CODE_ATTEMPTS = 5;

const isUuid = (v: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);
const iso = (d: Date | null) => d?.toISOString() ?? null;

export function viewRequest(r: PrivacyRequest) {
  const outcome = (r.outcome ?? {}) as OutcomeJson;
  return {
    id: r.id,
    type: r.type as PrivacyRequestType,
    status: r.status as never,
    leadId: r.leadId,
    verificationMethod: r.verificationMethod,
    agentRecorded: r.agentName !== null,
    createdAt: r.createdAt.toISOString(),
    dueAt: r.dueAt.toISOString(),
    verifiedAt: iso(r.verifiedAt),
    completedAt: iso(r.completedAt),
    escalatedAt: iso(r.escalatedAt),
    waitingFor:
      r.status === 'awaiting_verification' || r.status === 'received'
        ? ('verification' as const)
        : r.status === 'waiting_legal_hold'
          ? ('legal_hold_release' as const)
          : null,
    reminders: outcome.reminders ?? [],
    outcome: outcome.result ?? null,
  };
}

const errors = (map: Record<number, string>) =>
  Object.fromEntries(Object.entries(map).map(([s, d]) => [s, { description: d, schema: ZErrorSchema }]));

/**
 * Data-subject requests (access, export, correction, deletion, restriction, objection,
 * marketing opt-out): each is a workflow `privacy-request-<id>` with a 30-day due date.
 * Personal data of the request (the contact for the code, a correction's values) is
 * sealed at rest; codes are stored as keyed hashes.
 */
export function privacyRoutes(deps: ApiDeps) {
  const { db } = deps;
  const keysOr503 = (): PrivacyKeys => {
    if (!deps.privacyKeys)
      throw new AppError('unavailable', 'data-subject requests need ENCRYPTION_KEY to be configured');
    return deps.privacyKeys;
  };
  const signal = async (
    id: string,
    fn: (h: ReturnType<ApiDeps['temporal']['workflow']['getHandle']>) => Promise<void>,
  ) => deps.withTemporal(() => fn(deps.temporal.workflow.getHandle(privacyRequestWorkflowId(id))));

  return [
    defineRoute({
      method: 'post',
      path: '/v1/privacy/requests',
      tag: 'Privacy',
      summary: 'Open a data-subject request',
      description:
        'Roles: owner, compliance. Answers 202 with the request (due 30 days after receipt); its workflow verifies the person, then performs it. An owner key opening a request with business_confirmation verifies it at once.',
      security: 'apiKey',
      roles: ['owner', 'compliance'],
      body: ZPrivacyRequestCreateSchema,
      responses: {
        202: { description: 'Accepted: the request’s workflow is running', schema: ZPrivacyRequestSchema },
        ...errors({
          409: 'The phone matches several leads, or the lead was erased',
          422: 'The verification method cannot be used (no email provider; no phone on file)',
        }),
      },
      handler: async ({ body, auth, req }) => {
        if (body.verification.method === 'code_to_email') {
          throw new AppError(
            'unprocessable',
            'verification.method: email verification is not configured; use code_to_phone or business_confirmation',
            [{ field: 'verification.method', reason: 'no mail provider is configured' }],
          );
        }
        const keys = keysOr503();
        const now = deps.now();
        const id = randomUUID();
        const method = body.verification.method as VerificationMethod;
        const verified = method === 'business_confirmation' && auth.role === 'owner';
        const created = await withTenant(db, auth.businessId, async (tx) => {
          const leads = await tx.lead.findMany({
            where: body.leadId ? { id: body.leadId } : { phone: body.phone!, erasedAt: null },
            orderBy: { createdAt: 'desc' },
            take: 10,
            select: { id: true, phone: true, erasedAt: true },
          });
          if (leads.length === 0) return { error: notFound('lead') };
          if (leads.length > 1) {
            return {
              error: new AppError(
                'conflict',
                'phone: matches several leads; open a request per leadId',
                leads.map((l) => ({ leadId: l.id })),
              ),
            };
          }
          const lead = leads[0]!;
          if (lead.erasedAt) return { error: new AppError('conflict', 'the lead was erased') };
          if (method === 'code_to_phone' && !lead.phone)
            return { error: new AppError('unprocessable', 'verification.method: the lead has no phone on file') };
          const sealed = body.correction ? keys.box.seal(JSON.stringify(body.correction), correctionContext(id)) : null;
          const row = await tx.privacyRequest.create({
            data: {
              id,
              businessId: auth.businessId,
              leadId: lead.id,
              type: body.type,
              status: verified ? 'verified' : 'awaiting_verification',
              verificationMethod: method,
              verifiedAt: verified ? now : null,
              agentName: body.agent?.name ?? null,
              agentEvidence: body.agent?.evidence ?? null,
              payloadKeyId: sealed?.keyId ?? null,
              payloadCiphertext: sealed?.ciphertext ?? null,
              dueAt: new Date(now.getTime() + DUE_AFTER_DAYS * DAY_MS),
              createdAt: now,
              createdByKeyId: auth.keyId,
            },
          });
          await audit(tx, auth, { action: 'create', entity: 'privacy_request', entityId: id }, clientAddress(req));
          return { row };
        });
        if ('error' in created) throw created.error;
        const { row } = created;
        const input: PrivacyRequestInput = {
          requestId: id,
          businessId: auth.businessId,
          subjectId: row.leadId!,
          type: body.type,
          method,
          receivedAt: now.toISOString(),
          dueAt: row.dueAt.toISOString(),
          verified,
        };
        try {
          await deps.withTemporal(() =>
            deps.temporal.workflow.start<typeof privacyRequestWorkflow>('privacyRequestWorkflow', {
              taskQueue: deps.taskQueue,
              workflowId: privacyRequestWorkflowId(id),
              args: [input],
              workflowIdReusePolicy: 'REJECT_DUPLICATE',
              typedSearchAttributes: [{ key: BUSINESS_ID, value: auth.businessId }],
              memo: { label: `Privacy request ${id.slice(0, 8)} (${body.type})` },
            }),
          );
        } catch (err) {
          // No workflow, no request: the caller retries and gets one that will be performed.
          await withTenant(db, auth.businessId, (tx) => tx.privacyRequest.deleteMany({ where: { id } })).catch(
            () => {},
          );
          throw err;
        }
        return { status: 202, body: viewRequest(row), headers: { Location: `/v1/privacy/requests/${id}` } };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/v1/privacy/requests/:id/verify',
      tag: 'Privacy',
      summary: 'Verify the person behind a request',
      description:
        'Roles: owner, compliance. Not in the original contract, added because a code sent to the person must come back somewhere: the business relays the 6-digit code the person received (`code`), or an owner key confirms the person’s identity for business_confirmation (`confirm: true`). Codes expire after 30 minutes (an expired code sends a fresh one); the fifth wrong code locks the request (status rejected).',
      security: 'apiKey',
      roles: ['owner', 'compliance'],
      params: ZPrivacyIdParamsSchema,
      body: ZVerifySchema,
      responses: {
        200: { description: 'Verified: the request proceeds', schema: ZPrivacyRequestSchema },
        ...errors({
          409: 'Locked after too many wrong codes, or no code sent yet',
          422: 'Wrong or expired code (details: attemptsLeft)',
        }),
      },
      handler: async ({ params, body, auth, req }) => {
        if (!isUuid(params.id)) throw notFound('privacy request');
        const keys = keysOr503();
        const now = deps.now();
        const result = await withTenant(db, auth.businessId, async (tx) => {
          // One attempt at a time per request: concurrent guesses cannot both count as the fourth.
          const locked = await tx.$queryRaw<
            Array<{ id: string }>
          >`SELECT id FROM privacy_requests WHERE id = ${params.id}::uuid FOR UPDATE`;
          if (locked.length === 0) return { kind: 'not_found' as const };
          const r = await tx.privacyRequest.findUniqueOrThrow({ where: { id: params.id } });
          await audit(tx, auth, { action: 'update', entity: 'privacy_request', entityId: r.id }, clientAddress(req));
          if (r.status === 'rejected') return { kind: 'locked' as const };
          if (r.verifiedAt) return { kind: 'verified' as const, row: r };
          const outcome = (r.outcome ?? {}) as OutcomeJson;
          if (body.confirm) {
            if (r.verificationMethod !== 'business_confirmation')
              return {
                kind: 'conflict' as const,
                message: 'confirm: this request is verified by a code to the person',
              };
            if (auth.role !== 'owner') return { kind: 'forbidden' as const };
          } else {
            if (r.verificationMethod === 'business_confirmation')
              return {
                kind: 'conflict' as const,
                message: 'code: this request is verified by an owner’s confirmation',
              };
            if (!r.codeHash || !r.codeExpiresAt)
              return { kind: 'conflict' as const, message: 'no code has been sent yet; retry shortly' };
            const failed = outcome.failedAttempts ?? 0;
            if (r.codeExpiresAt.getTime() < now.getTime()) return { kind: 'expired' as const };
            if (!codeMatches(keys, r.id, body.code!, r.codeHash)) {
              const attempts = failed + 1;
              const lockNow = attempts >= MAX_CODE_ATTEMPTS;
              await tx.privacyRequest.update({
                where: { id: r.id },
                data: {
                  outcome: { ...outcome, failedAttempts: attempts } as Prisma.InputJsonValue,
                  ...(lockNow ? { status: 'rejected', codeHash: null } : {}),
                },
              });
              return { kind: 'wrong' as const, attemptsLeft: MAX_CODE_ATTEMPTS - attempts };
            }
          }
          const row = await tx.privacyRequest.update({
            where: { id: r.id },
            data: { verifiedAt: now, status: 'verified', codeHash: null, codeExpiresAt: null },
          });
          // The code did its job: it no longer sits readable in the outbox.
          await tx.message.updateMany({
            where: { idempotencyKey: { startsWith: `privacy-request-${r.id}:code-` } },
            data: { body: '[verification code, redacted after use]' },
          });
          return { kind: 'verified' as const, row };
        });
        switch (result.kind) {
          case 'not_found':
            throw notFound('privacy request');
          case 'locked':
            throw new AppError('conflict', 'the request is locked after too many wrong codes; open a new one');
          case 'forbidden':
            throw new AppError('forbidden', 'only an owner key can confirm the person for the business');
          case 'conflict':
            throw new AppError('conflict', result.message);
          case 'expired':
            await signal(params.id, (h) => h.signal(resendCodeSignal, { at: now.toISOString() }));
            throw new AppError('unprocessable', 'code: has expired; a new code was sent', [
              { field: 'code', reason: 'expired' },
            ]);
          case 'wrong':
            if (result.attemptsLeft === 0)
              await signal(params.id, (h) => h.signal(verificationSignal, { outcome: 'locked' }));
            throw new AppError(
              'unprocessable',
              result.attemptsLeft === 0
                ? 'code: is wrong; the request is now locked'
                : `code: is wrong; ${result.attemptsLeft} attempts left`,
              [{ field: 'code', reason: 'wrong', attemptsLeft: result.attemptsLeft }],
            );
          case 'verified':
            await signal(params.id, (h) => h.signal(verificationSignal, { outcome: 'verified' }));
            return { status: 200, body: viewRequest(result.row) };
        }
      },
    }),

    defineRoute({
      method: 'get',
      path: '/v1/privacy/requests',
      tag: 'Privacy',
      summary: 'This business’s data-subject requests, soonest due first: what is open, due soon or overdue',
      description:
        'Roles: owner, compliance. `open=true` lists only requests not yet completed or rejected; each shows its due date, the reminders sent and whether it was escalated.',
      security: 'apiKey',
      roles: ['owner', 'compliance'],
      query: z.object({
        open: z.enum(['true', 'false'], { message: 'must be true or false' }).optional(),
        limit: z.coerce.number().int().min(1, 'must be at least 1').max(100, 'must be at most 100').default(25),
        cursor: z.string().max(200).optional(),
      }),
      responses: { 200: { description: 'Requests', schema: page(ZPrivacyRequestSchema) } },
      handler: async ({ query, auth, req }) => {
        const after = query.cursor ? decodeCursor(query.cursor) : null;
        const rows = await withTenant(db, auth.businessId, async (tx) => {
          const found = await tx.privacyRequest.findMany({
            where: {
              ...(query.open === 'true' ? { status: { notIn: ['completed', 'rejected'] } } : {}),
              ...(after ? { OR: [{ dueAt: { gt: after.at } }, { dueAt: after.at, id: { gt: after.id } }] } : {}),
            },
            orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
            take: query.limit + 1,
          });
          await audit(tx, auth, { action: 'list', entity: 'privacy_request' }, clientAddress(req));
          return found;
        });
        const data = rows.slice(0, query.limit);
        const last = data[data.length - 1];
        return {
          status: 200,
          body: {
            data: data.map(viewRequest),
            next: rows.length > query.limit && last ? encodeCursor({ at: last.dueAt, id: last.id }) : null,
          },
        };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/v1/privacy/requests/:id',
      tag: 'Privacy',
      summary: 'A data-subject request: status, due date, what it waits for, and its outcome',
      security: 'apiKey',
      roles: ['owner', 'compliance'],
      params: ZPrivacyIdParamsSchema,
      responses: { 200: { description: 'The request', schema: ZPrivacyRequestSchema } },
      handler: async ({ params, auth, req }) => {
        if (!isUuid(params.id)) throw notFound('privacy request');
        const row = await withTenant(db, auth.businessId, async (tx) => {
          const found = await tx.privacyRequest.findUnique({ where: { id: params.id } });
          if (found)
            await audit(
              tx,
              auth,
              { action: 'read', entity: 'privacy_request', entityId: found.id },
              clientAddress(req),
            );
          return found;
        });
        if (!row) throw notFound('privacy request');
        return { status: 200, body: viewRequest(row) };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/v1/privacy/requests/:id/export',
      tag: 'Privacy',
      summary: 'Everything held about the person, as one JSON document',
      description:
        'Roles: owner, compliance. Only for an access or export request that is verified and complete. Built from the database when fetched: the lead, messages, consent records with their provenance, appointments, suppressions, privacy requests, and the audit trail of who read the data (this export included).',
      security: 'apiKey',
      roles: ['owner', 'compliance'],
      params: ZPrivacyIdParamsSchema,
      responses: {
        200: { description: 'The subject export', schema: ZSubjectExportSchema },
        ...errors({ 409: 'Not an access or export request, or not verified and complete yet' }),
      },
      handler: async ({ params, auth, req }) => {
        if (!isUuid(params.id)) throw notFound('privacy request');
        const doc = await withTenant(db, auth.businessId, async (tx) => {
          const request = await tx.privacyRequest.findUnique({ where: { id: params.id } });
          if (!request) return { error: notFound('privacy request') };
          if (request.type !== 'access' && request.type !== 'export')
            return { error: new AppError('conflict', 'only access and export requests have an export') };
          if (!request.verifiedAt || request.status !== 'completed' || !request.leadId)
            return { error: new AppError('conflict', 'the request is not verified and complete yet') };
          // Written first, so the export's own read is in the trail it hands over.
          await audit(tx, auth, { action: 'export', entity: 'lead', entityId: request.leadId }, clientAddress(req));
          return { doc: await buildSubjectExport(tx, { request, keys: deps.privacyKeys, now: deps.now() }) };
        });
        if ('error' in doc) throw doc.error;
        return { status: 200, body: doc.doc };
      },
    }),
  ];
}
