import { z } from 'zod';
import type { PrivacyRequest } from '@prisma/client';
import { withTenant } from '../../db/tenant';
import type { OutcomeJson } from '../../activities/privacy/privacy-deps';
import { isUuid } from '../../domain/ids';
import { openPrivacyRequest } from '../../services/privacy/open-privacy-request';
import { verifyPrivacyRequest } from '../../services/privacy/verify-privacy-request';
import type { PrivacyRequestType, VerificationMethod } from '../../workflows/privacy/definitions';
import { actorOf, audit } from '../audit';
import { clientAddress } from '../http/client-address';
import type { ApiDeps } from '../deps';
import { AppError, notFound } from '../http/errors';
import { defineRoute } from '../http/route';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { page, ZErrorSchema } from '../http/schemas';
import { buildSubjectExport } from '../../db/subject-export';
import {
  ZPrivacyIdParamsSchema,
  ZPrivacyRequestCreateSchema,
  ZPrivacyRequestSchema,
  ZSubjectExportSchema,
  ZVerifySchema,
} from './privacy-schemas';

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
  const useCaseDeps = { ...deps, keys: deps.privacyKeys };

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
          409: 'The phone matches several leads, the lead was erased, or it was accepted and is still being recorded (retry after Retry-After seconds)',
          422: 'The verification method cannot be used (no email provider; no phone on file)',
        }),
      },
      handler: async ({ body, auth, req }) => {
        const row = await openPrivacyRequest(useCaseDeps, {
          actor: actorOf(auth, clientAddress(req)),
          type: body.type,
          leadId: body.leadId,
          phone: body.phone,
          method: body.verification.method as VerificationMethod,
          agent: body.agent,
          correction: body.correction,
        });
        const id = row.id;
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
        const row = await verifyPrivacyRequest(useCaseDeps, {
          actor: actorOf(auth, clientAddress(req)),
          requestId: params.id,
          code: body.code,
          confirm: body.confirm,
        });
        return { status: 200, body: viewRequest(row) };
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
