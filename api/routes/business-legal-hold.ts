import { z } from 'zod';
import { withTenant } from '../../db/tenant';
import { signalTenantHold } from '../../services/account-workflow';
import { audit } from '../audit';
import { clientAddress } from '../auth/authenticate';
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

type HoldColumns = { id: string; legalHoldReason: string | null; legalHoldBy: string | null; legalHoldAt: Date | null };

const view = (b: HoldColumns) => ({
  businessId: b.id,
  held: b.legalHoldAt !== null,
  reason: b.legalHoldReason,
  placedBy: b.legalHoldBy,
  placedAt: b.legalHoldAt?.toISOString() ?? null,
});

const HOLD_COLUMNS = { id: true, legalHoldReason: true, legalHoldBy: true, legalHoldAt: true } as const;

/**
 * A tenant-wide legal hold pauses every deletion of the business's data: the purge after
 * cancellation, every lead's retention timer, the sweeps. The columns are the truth (each
 * deletion re-reads them); the account workflow is told at once and passes it on to every
 * running lead workflow of the business.
 */
export function businessLegalHoldRoutes(deps: ApiDeps) {
  async function setHold(businessId: string, hold: { reason: string; by: string; at: Date } | null) {
    const business = await withTenant(deps.db, businessId, async (tx) => {
      const { count } = await tx.business.updateMany({
        where: { id: businessId },
        data: { legalHoldReason: hold?.reason ?? null, legalHoldBy: hold?.by ?? null, legalHoldAt: hold?.at ?? null },
      });
      // Purged meanwhile (its keys would be gone a moment later): nothing left to hold.
      return count === 0 ? null : tx.business.findUniqueOrThrow({ where: { id: businessId }, select: HOLD_COLUMNS });
    });
    if (!business) throw notFound('business');
    await deps.withTemporal(() =>
      signalTenantHold({ temporal: deps.temporal, businessId, taskQueue: deps.taskQueue }, hold !== null),
    );
    return business;
  }

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
        const business = await setHold(auth.businessId, {
          reason: body.reason,
          by: `key:${auth.keyId}`,
          at: deps.now(),
        });
        await withTenant(deps.db, auth.businessId, (tx) =>
          audit(tx, auth, { action: 'hold', entity: 'business', entityId: auth.businessId }, clientAddress(req)),
        );
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
        const business = await setHold(auth.businessId, null);
        await withTenant(deps.db, auth.businessId, (tx) =>
          audit(tx, auth, { action: 'release', entity: 'business', entityId: auth.businessId }, clientAddress(req)),
        );
        return { status: 200, body: view(business) };
      },
    }),
  ];
}
