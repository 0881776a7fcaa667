import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { withTenant, type Tx } from '../../db/tenant';
import { ensureAccountWorkflow } from '../../services/account-workflow';
import { createApiKey, createKey, keyView } from '../../services/api-keys/create-api-key';
import { revokeApiKey } from '../../services/api-keys/revoke-api-key';
import {
  applySettings,
  rethrowSmsNumberTaken,
  updateBusinessSettings,
} from '../../services/business/update-business-settings';
import { actorOf } from '../audit';
import { clientAddress } from '../http/client-address';
import type { ApiDeps } from '../deps';
import { defineRoute } from '../http/route';
import { ZIdParamSchema } from '../http/schemas';
import { businessView } from './business-view';
import {
  ZApiKeySchema,
  ZBusinessSchema,
  ZCreateApiKeySchema,
  ZCreateBusinessSchema,
  ZCreatedBusinessSchema,
  ZNewApiKeySchema,
  ZPatchBusinessSchema,
} from './business-schemas';

/** Tests, the seed and the CLI make keys in their own transactions (services/api-keys/create-api-key). */
export { createKey };

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
        }).catch(rethrowSmsNumberTaken);
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
        const business = await updateBusinessSettings(deps, {
          actor: actorOf(auth, clientAddress(req)),
          settings: body,
        });
        return { status: 200, body: businessView(business) };
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
        const key = await createApiKey(deps, {
          actor: actorOf(auth, clientAddress(req)),
          role: body.role,
          label: body.label,
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
      params: ZIdParamSchema,
      responses: {
        204: { description: 'Revoked' },
        409: { description: 'The last active owner key cannot be revoked' },
      },
      handler: async ({ auth, params, req }) => {
        await revokeApiKey(
          { db, now: deps.now, forget: (keyId) => deps.keyCache.forgetKey(keyId) },
          { actor: actorOf(auth, clientAddress(req)), keyId: params.id },
        );
        return { status: 204 };
      },
    }),
  ];
}
