import { randomUUID } from 'node:crypto';
import type { Prisma } from '@prisma/client';
import { withTenant, type Tx } from '../../db/tenant';
import { ensureAccountWorkflow } from '../../services/account-workflow';
import { audit } from '../audit';
import { generateApiKey, type ApiKeyRole } from '../auth/api-keys';
import { clientAddress } from '../auth/authenticate';
import type { ApiDeps } from '../deps';
import { AppError, notFound } from '../http/errors';
import { defineRoute } from '../http/route';
import { z } from 'zod';
import {
  ZApiKeySchema,
  ZBusinessSchema,
  ZCreateApiKeySchema,
  ZCreateBusinessSchema,
  ZCreatedBusinessSchema,
  ZNewApiKeySchema,
  ZPatchBusinessSchema,
} from './business-schemas';

type BusinessRow = Prisma.BusinessGetPayload<{ include: { services: true } }>;
type PatchInput = z.output<typeof ZPatchBusinessSchema>;

export function businessView(b: BusinessRow) {
  return {
    id: b.id,
    name: b.name,
    timeZone: b.timeZone,
    botName: b.botName,
    smsNumber: b.smsNumber,
    contactPhone: b.contactPhone,
    contactEmail: b.contactEmail,
    businessHours: b.businessHours,
    holidays: b.holidays,
    followUpCadence: b.followUpCadence,
    aiEnabled: b.aiEnabled,
    facts: b.facts,
    consentText: b.consentText,
    allowedOrigins: b.allowedOrigins,
    bookingBufferMinutes: b.bookingBufferMinutes,
    retentionOverrides: b.retentionOverrides,
    subscriptionStatus: b.subscriptionStatus,
    legalHold: b.legalHoldAt !== null,
    services: b.services.map((s) => ({
      id: s.id,
      name: s.name,
      durationMinutes: s.durationMinutes,
      priceCents: s.priceCents,
      priceNote: s.priceNote,
      active: s.active,
    })),
    createdAt: b.createdAt.toISOString(),
  };
}

function keyView(k: {
  id: string;
  role: string;
  label: string;
  lookup: string;
  createdAt: Date;
  revokedAt: Date | null;
}) {
  const prefix = k.role === 'widget' ? 'lf_pub_' : 'lf_live_';
  return {
    id: k.id,
    role: k.role as ApiKeyRole,
    label: k.label,
    prefix: `${prefix}${k.lookup}`,
    createdAt: k.createdAt.toISOString(),
    revokedAt: k.revokedAt?.toISOString() ?? null,
  };
}

export async function createKey(tx: Tx, businessId: string, role: ApiKeyRole, label: string) {
  const key = generateApiKey(role);
  const row = await tx.apiKey.create({ data: { businessId, role, label, lookup: key.lookup, hash: key.hash } });
  return { ...keyView(row), key: key.key };
}

async function applySettings(tx: Tx, businessId: string, input: PatchInput) {
  const { services, ...settings } = input;
  if (Object.keys(settings).length > 0) {
    await tx.business.update({ where: { id: businessId }, data: settings as Prisma.BusinessUpdateInput });
  }
  if (services) {
    // The list replaces the old one; services that appointments still name are deactivated, not deleted.
    const keep = services.filter((s) => s.id).map((s) => s.id!);
    await tx.service.updateMany({ where: { id: { notIn: keep } }, data: { active: false } });
    for (const s of services) {
      const data = {
        name: s.name,
        durationMinutes: s.durationMinutes,
        priceCents: s.priceCents,
        priceNote: s.priceNote,
        active: s.active,
      };
      if (s.id) {
        const { count } = await tx.service.updateMany({ where: { id: s.id }, data });
        if (count === 0)
          throw new AppError('bad_request', `services: no service with id ${s.id}`, [
            { field: 'services.id', reason: 'is not a service of this business' },
          ]);
      } else await tx.service.create({ data: { ...data, businessId } });
    }
  }
}

export function businessRoutes(deps: ApiDeps) {
  const { db } = deps;
  const load = (tx: Tx, id: string) =>
    tx.business.findUniqueOrThrow({ where: { id }, include: { services: { orderBy: { createdAt: 'asc' } } } });

  return [
    defineRoute({
      method: 'post',
      path: '/v1/businesses',
      tag: 'Businesses',
      summary: 'Create a business (tenant) and its owner key',
      description: 'Platform admin only (Authorization: Bearer <ADMIN_TOKEN>). The owner key is shown once.',
      security: 'adminToken',
      body: ZCreateBusinessSchema,
      responses: { 201: { description: 'Created', schema: ZCreatedBusinessSchema } },
      handler: async ({ body }) => {
        const id = randomUUID();
        const created = await withTenant(db, id, async (tx) => {
          await tx.business.create({ data: { id, name: body.name } });
          await applySettings(tx, id, body);
          const ownerKey = await createKey(tx, id, 'owner', 'first owner key');
          return { business: businessView(await load(tx, id)), ownerKey };
        }).catch((err: { code?: string }) => {
          if (err.code === 'P2002')
            throw new AppError('conflict', 'smsNumber: another business already uses this number', [
              { field: 'smsNumber', reason: 'is in use by another business' },
            ]);
          throw err;
        });
        // The account workflow owns the tenant's timers from now on. If Temporal is down the
        // tenant still exists: its first Stripe event, hold or account read starts the workflow.
        await deps
          .withTemporal(() =>
            ensureAccountWorkflow({ temporal: deps.temporal, businessId: id, taskQueue: deps.taskQueue }),
          )
          .catch((err: Error) => {
            deps.log.warn(
              { businessId: id, err: err.message },
              'account workflow not started; it starts with the first account event',
            );
          });
        return { status: 201, body: created, headers: { Location: '/v1/business' } };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/v1/business',
      tag: 'Businesses',
      summary: 'The business of the calling key',
      security: 'apiKey',
      roles: ['owner', 'operator', 'compliance'],
      responses: { 200: { description: 'Settings', schema: ZBusinessSchema } },
      handler: async ({ auth }) => ({
        status: 200,
        body: businessView(await withTenant(db, auth.businessId, (tx) => load(tx, auth.businessId))),
      }),
    }),

    defineRoute({
      method: 'patch',
      path: '/v1/business',
      tag: 'Businesses',
      summary: 'Change settings: hours, time zone, services, cadence, AI, widget origins, retention overrides',
      description: 'Owner only. Retention overrides may only shorten the defaults.',
      security: 'apiKey',
      roles: ['owner'],
      body: ZPatchBusinessSchema,
      responses: { 200: { description: 'Updated settings', schema: ZBusinessSchema } },
      handler: async ({ auth, body, req }) => {
        const updated = await withTenant(db, auth.businessId, async (tx) => {
          await applySettings(tx, auth.businessId, body);
          await audit(
            tx,
            auth,
            { action: 'update', entity: 'business', entityId: auth.businessId },
            clientAddress(req),
          );
          return load(tx, auth.businessId);
        }).catch((err: { code?: string }) => {
          if (err.code === 'P2002')
            throw new AppError('conflict', 'smsNumber: another business already uses this number', [
              { field: 'smsNumber', reason: 'is in use by another business' },
            ]);
          throw err;
        });
        return { status: 200, body: businessView(updated) };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/v1/api-keys',
      tag: 'API keys',
      summary: 'Create a key (shown once)',
      security: 'apiKey',
      roles: ['owner'],
      body: ZCreateApiKeySchema,
      responses: { 201: { description: 'The new key, shown once', schema: ZNewApiKeySchema } },
      handler: async ({ auth, body, req }) => {
        const key = await withTenant(db, auth.businessId, async (tx) => {
          const created = await createKey(tx, auth.businessId, body.role, body.label);
          await audit(tx, auth, { action: 'create', entity: 'api_key', entityId: created.id }, clientAddress(req));
          return created;
        });
        return { status: 201, body: key };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/v1/api-keys',
      tag: 'API keys',
      summary: 'List keys (never the keys themselves)',
      security: 'apiKey',
      roles: ['owner'],
      responses: { 200: { description: 'Keys', schema: z.object({ data: z.array(ZApiKeySchema) }) } },
      handler: async ({ auth }) => {
        const keys = await withTenant(db, auth.businessId, (tx) =>
          tx.apiKey.findMany({ orderBy: { createdAt: 'asc' } }),
        );
        return { status: 200, body: { data: keys.map(keyView) } };
      },
    }),

    defineRoute({
      method: 'delete',
      path: '/v1/api-keys/:id',
      tag: 'API keys',
      summary: 'Revoke a key',
      security: 'apiKey',
      roles: ['owner'],
      params: z.object({ id: z.string() }),
      responses: {
        204: { description: 'Revoked' },
        409: { description: 'The last active owner key cannot be revoked' },
      },
      handler: async ({ auth, params, req }) => {
        if (!/^[0-9a-f-]{36}$/i.test(params.id)) throw notFound('API key');
        await withTenant(db, auth.businessId, async (tx) => {
          const key = await tx.apiKey.findUnique({ where: { id: params.id } });
          if (!key) throw notFound('API key');
          if (key.role === 'owner' && !key.revokedAt) {
            const owners = await tx.apiKey.count({ where: { role: 'owner', revokedAt: null } });
            if (owners <= 1)
              throw new AppError('conflict', 'the last active owner key cannot be revoked: create another first');
          }
          await tx.apiKey.update({ where: { id: key.id }, data: { revokedAt: key.revokedAt ?? deps.now() } });
          await audit(tx, auth, { action: 'delete', entity: 'api_key', entityId: key.id }, clientAddress(req));
        });
        deps.keyCache.forgetKey(params.id);
        return { status: 204 };
      },
    }),
  ];
}
