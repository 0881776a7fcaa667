import { z } from 'zod';
import { SUBSCRIBABLE_EVENT_TYPES, WEBHOOK_EVENT_TYPES } from '../../services/webhooks/webhook-events';
import { ZPathIdSchema } from '../http/schemas';

export const ZWebhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES).openapi('WebhookEventType');

export const ZCreateWebhookEndpointSchema = z.strictObject({
  url: z
    .string()
    .max(2000, 'must be at most 2000 characters')
    .openapi({ example: 'https://hooks.example.com/leadflow' }),
  events: z
    .array(z.enum(SUBSCRIBABLE_EVENT_TYPES, { message: `must be one of ${SUBSCRIBABLE_EVENT_TYPES.join(', ')}` }))
    .min(1, 'must name at least one event')
    .max(SUBSCRIBABLE_EVENT_TYPES.length),
});

export const ZWebhookEndpointSchema = z
  .object({
    id: z.uuid(),
    url: z.string(),
    events: z.array(z.string()),
    status: z.enum(['enabled', 'disabled']),
    failingSince: z.iso.datetime().nullable().describe('First failed attempt since the last success'),
    disabledAt: z.iso.datetime().nullable().describe('Set after 3 days of failures; deliveries stop'),
    previousSecretExpiresAt: z.iso
      .datetime()
      .nullable()
      .describe('After a rotation: until then deliveries carry a signature with the previous secret too'),
    createdAt: z.iso.datetime(),
  })
  .openapi('WebhookEndpoint');

export const ZWebhookEndpointWithSecretSchema = ZWebhookEndpointSchema.extend({
  secret: z
    .string()
    .describe('The signing secret (Standard Webhooks, whsec_…). Shown only in this response.')
    .openapi({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }),
}).openapi('WebhookEndpointWithSecret');

export const ZWebhookDeliverySchema = z
  .object({
    id: z.uuid(),
    eventId: z.string(),
    eventType: z.string(),
    webhookId: z.string().describe('The webhook-id header: the same on every attempt and replay'),
    status: z.enum(['pending', 'succeeded', 'failed']),
    attempts: z.number().int(),
    responseCode: z.number().int().nullable(),
    responseSnippet: z.string().nullable().describe('The first 512 bytes of the last response'),
    lastError: z.string().nullable(),
    attemptLog: z.array(
      z.object({
        at: z.iso.datetime(),
        responseCode: z.number().int().nullable(),
        error: z.string().nullable(),
        ok: z.boolean(),
      }),
    ),
    createdAt: z.iso.datetime(),
    lastAttemptAt: z.iso.datetime().nullable(),
    succeededAt: z.iso.datetime().nullable(),
  })
  .openapi('WebhookDelivery');

export const ZEndpointParamsSchema = z.object({ id: ZPathIdSchema });
export const ZDeliveryParamsSchema = z.object({ id: ZPathIdSchema, deliveryId: ZPathIdSchema });

export const ZDeliveriesQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  before: z.iso.datetime({ message: 'must be an ISO-8601 time' }).optional(),
});
