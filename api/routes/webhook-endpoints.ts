import { z } from 'zod';
import { createWebhookEndpoint } from '../../services/webhooks/create-webhook-endpoint';
import { deleteWebhookEndpoint } from '../../services/webhooks/delete-webhook-endpoint';
import { listWebhookDeliveries } from '../../services/webhooks/list-webhook-deliveries';
import { listWebhookEndpoints } from '../../services/webhooks/list-webhook-endpoints';
import { pingWebhookEndpoint } from '../../services/webhooks/ping-webhook-endpoint';
import { replayWebhookDelivery } from '../../services/webhooks/replay-webhook-delivery';
import { rotateWebhookSecret } from '../../services/webhooks/rotate-webhook-secret';
import type { WebhookServiceDeps } from '../../services/webhooks/webhook-service-deps';
import { actorOf } from '../audit';
import type { ApiDeps } from '../deps';
import { clientAddress } from '../http/client-address';
import { defineRoute } from '../http/route';
import {
  ZCreateWebhookEndpointSchema,
  ZDeliveriesQuerySchema,
  ZDeliveryParamsSchema,
  ZEndpointParamsSchema,
  ZWebhookDeliverySchema,
  ZWebhookEndpointSchema,
  ZWebhookEndpointWithSecretSchema,
} from './webhook-endpoint-schemas';

const TAG = 'Webhooks';

/** Outbound webhooks: endpoints the business subscribes to events, signed the Standard Webhooks way. */
export function webhookEndpointRoutes(deps: ApiDeps) {
  const service: WebhookServiceDeps = {
    db: deps.db,
    temporal: deps.temporal,
    taskQueue: deps.taskQueue,
    keyring: deps.privacyKeys?.keyring ?? null,
    allowPrivate: deps.settings.webhookAllowPrivate ?? false,
    now: deps.now,
  };
  const call = <T>(fn: () => Promise<T>) => deps.withTemporal(fn);
  return [
    defineRoute({
      method: 'post',
      path: '/v1/webhook-endpoints',
      tag: TAG,
      summary: 'Subscribe an endpoint to events (the signing secret is shown once)',
      description:
        'Roles: owner. The URL must be https and may not resolve to a loopback, private, link-local or metadata address.',
      security: 'apiKey',
      roles: ['owner'],
      body: ZCreateWebhookEndpointSchema,
      responses: { 201: { description: 'Created, with its secret', schema: ZWebhookEndpointWithSecretSchema } },
      handler: async ({ body, auth, req }) => {
        const created = await createWebhookEndpoint(service, {
          actor: actorOf(auth, clientAddress(req)),
          url: body.url,
          events: body.events,
        });
        return { status: 201, body: created, headers: { 'Cache-Control': 'no-store' } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/webhook-endpoints',
      tag: TAG,
      summary: 'List the endpoints (never their secrets)',
      security: 'apiKey',
      roles: ['owner', 'operator'],
      responses: { 200: { description: 'Endpoints', schema: z.object({ data: z.array(ZWebhookEndpointSchema) }) } },
      handler: async ({ auth }) => ({
        status: 200,
        body: { data: await listWebhookEndpoints(deps, { businessId: auth.businessId }) },
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/webhook-endpoints/:id',
      tag: TAG,
      summary: 'Delete an endpoint and its delivery log',
      security: 'apiKey',
      roles: ['owner'],
      params: ZEndpointParamsSchema,
      responses: { 204: { description: 'Deleted' } },
      handler: async ({ params, auth, req }) => {
        await deleteWebhookEndpoint(deps, { actor: actorOf(auth, clientAddress(req)), endpointId: params.id });
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/webhook-endpoints/:id/rotate-secret',
      tag: TAG,
      summary: 'Rotate the signing secret (the old one also signs for 24 hours)',
      security: 'apiKey',
      roles: ['owner'],
      params: ZEndpointParamsSchema,
      responses: { 200: { description: 'The new secret, shown once', schema: ZWebhookEndpointWithSecretSchema } },
      handler: async ({ params, auth, req }) => {
        const rotated = await rotateWebhookSecret(service, {
          actor: actorOf(auth, clientAddress(req)),
          endpointId: params.id,
        });
        return { status: 200, body: rotated, headers: { 'Cache-Control': 'no-store' } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/webhook-endpoints/:id/deliveries',
      tag: TAG,
      summary: 'The endpoint’s deliveries (last 30 days), newest first, with every attempt',
      security: 'apiKey',
      roles: ['owner', 'operator'],
      params: ZEndpointParamsSchema,
      query: ZDeliveriesQuerySchema,
      responses: { 200: { description: 'Deliveries', schema: z.object({ data: z.array(ZWebhookDeliverySchema) }) } },
      handler: async ({ params, query, auth }) => ({
        status: 200,
        body: {
          data: await listWebhookDeliveries(deps, {
            businessId: auth.businessId,
            endpointId: params.id,
            limit: query.limit,
            before: query.before ? new Date(query.before) : undefined,
          }),
        },
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/webhook-endpoints/:id/deliveries/:deliveryId/replay',
      tag: TAG,
      summary: 'Send a delivery again (same body, same webhook-id)',
      security: 'apiKey',
      roles: ['owner'],
      params: ZDeliveryParamsSchema,
      responses: { 202: { description: 'Queued', schema: ZWebhookDeliverySchema } },
      handler: async ({ params, auth, req }) => {
        const delivery = await call(() =>
          replayWebhookDelivery(service, {
            actor: actorOf(auth, clientAddress(req)),
            endpointId: params.id,
            deliveryId: params.deliveryId,
          }),
        );
        return { status: 202, body: delivery };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/webhook-endpoints/:id/ping',
      tag: TAG,
      summary: 'Send a webhook.ping event to this endpoint',
      security: 'apiKey',
      roles: ['owner'],
      params: ZEndpointParamsSchema,
      responses: { 202: { description: 'Queued', schema: ZWebhookDeliverySchema } },
      handler: async ({ params, auth, req }) => {
        const delivery = await call(() =>
          pingWebhookEndpoint(service, { actor: actorOf(auth, clientAddress(req)), endpointId: params.id }),
        );
        return { status: 202, body: delivery };
      },
    }),
  ];
}
