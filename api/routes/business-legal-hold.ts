import { z } from 'zod';
import { withTenant } from '../../db/tenant';
import { HOLD_COLUMNS, type BusinessHold } from '../../services/business/business-legal-hold';
import { placeBusinessLegalHold } from '../../services/business/place-business-legal-hold';
import { releaseBusinessLegalHold } from '../../services/business/release-business-legal-hold';
import { actorOf } from '../audit';
import { clientAddress } from '../http/client-address';
import type { ApiDeps } from '../deps';
import { notFound } from '../http/errors';
import { defineRoute } from '../http/route';
import { text } from './lead-schemas';

const ZTenantHoldSchema = z
  .object({
    businessId: z.string(),
    held: z.boolean(),
    reason: z.string().nullable(),
    placedBy: z.string().nullable(),
    placedAt: z.iso.datetime().nullable(),
  })
  .openapi('TenantLegalHold');

const view = (b: BusinessHold) => ({
  businessId: b.id,
  held: b.legalHoldAt !== null,
  reason: b.legalHoldReason,
  placedBy: b.legalHoldBy,
  placedAt: b.legalHoldAt?.toISOString() ?? null,
});

/** The tenant-wide legal hold (services/business/business-legal-hold says what it holds). */
export function businessLegalHoldRoutes(deps: ApiDeps) {
  const holdDeps = { ...deps, call: deps.withTemporal };
  return [
    defineRoute({
      method: 'get',
      path: '/v1/business/legal-hold',
      tag: 'Compliance',
      summary: 'The tenant-wide legal hold, if any',
      security: 'apiKey',
      roles: ['owner', 'compliance'],
      responses: { 200: { description: 'Hold state', schema: ZTenantHoldSchema } },
      handler: async ({ auth }) => {
        const business = await withTenant(deps.db, auth.businessId, (tx) =>
          tx.business.findUnique({ where: { id: auth.businessId }, select: HOLD_COLUMNS }),
        );
        if (!business) throw notFound('business');
        return { status: 200, body: view(business) };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/v1/business/legal-hold',
      tag: 'Compliance',
      summary: 'Place a legal hold on the whole tenant (pauses every deletion, including the purge after cancellation)',
      security: 'apiKey',
      roles: ['owner', 'compliance'],
      body: z.strictObject({ reason: text(500).pipe(z.string().min(3, 'must say why')) }),
      responses: { 200: { description: 'Held', schema: ZTenantHoldSchema } },
      handler: async ({ body, auth, req }) => {
        const business = await placeBusinessLegalHold(holdDeps, {
          actor: actorOf(auth, clientAddress(req)),
          reason: body.reason,
        });
        return { status: 200, body: view(business) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/business/legal-hold',
      tag: 'Compliance',
      summary: 'Release the tenant-wide legal hold (deletion timers resume; leads with their own hold stay held)',
      security: 'apiKey',
      roles: ['owner', 'compliance'],
      responses: { 200: { description: 'Released', schema: ZTenantHoldSchema } },
      handler: async ({ auth, req }) => {
        const business = await releaseBusinessLegalHold(holdDeps, { actor: actorOf(auth, clientAddress(req)) });
        return { status: 200, body: view(business) };
      },
    }),
  ];
}
