import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { withTenant } from '../../db/tenant';
import { receiveInboundSms } from '../../services/leads/receive-inbound-sms';
import { audit } from '../audit';
import { clientAddress } from '../http/client-address';
import type { ApiDeps } from '../deps';
import { defineRoute } from '../http/route';
import { text, ZPhoneSchema } from './lead-schemas';

const ZOutboxItemSchema = z
  .object({
    id: z.string(),
    leadId: z.string(),
    to: z.string(),
    kind: z.string(),
    body: z.string(),
    status: z.string(),
    createdAt: z.iso.datetime(),
  })
  .openapi('OutboxMessage');

/**
 * With the local SMS provider, the outbox table is the carrier: read what leadflow sent,
 * and answer as the lead. These routes do not exist when Twilio is configured.
 */
export function devRoutes(deps: ApiDeps) {
  if (!deps.settings.localSms) return [];
  const { db } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/v1/dev/outbox',
      tag: 'Development',
      summary: 'Texts sent through the local SMS provider, newest first',
      security: 'apiKey',
      roles: ['owner', 'operator'],
      query: z.object({
        leadId: z.uuid('must be a lead id').optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
      responses: { 200: { description: 'Outbox', schema: z.object({ data: z.array(ZOutboxItemSchema) }) } },
      handler: async ({ query, auth, req }) => {
        const rows = await withTenant(db, auth.businessId, async (tx) => {
          const found = await tx.message.findMany({
            where: { direction: 'outbound', provider: 'local', ...(query.leadId ? { leadId: query.leadId } : {}) },
            orderBy: { createdAt: 'desc' },
            take: query.limit,
            include: { lead: { select: { phone: true } } },
          });
          await audit(tx, auth, { action: 'list', entity: 'message' }, clientAddress(req));
          return found;
        });
        return {
          status: 200,
          body: {
            data: rows.map((m) => ({
              id: m.id,
              leadId: m.leadId,
              to: m.lead.phone,
              kind: m.kind,
              body: m.body,
              status: m.status,
              createdAt: m.createdAt.toISOString(),
            })),
          },
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/dev/inbound-sms',
      tag: 'Development',
      summary: 'Play the lead: deliver a text to the business as if it came from the carrier',
      security: 'apiKey',
      roles: ['owner', 'operator'],
      body: z.strictObject({ from: ZPhoneSchema, body: text(1600).pipe(z.string().min(1, 'is required')) }),
      responses: {
        202: {
          description: 'Delivered to the lead’s workflow',
          schema: z.object({ leadId: z.string(), createdLead: z.boolean() }),
        },
      },
      handler: async ({ body, auth }) => {
        const result = await receiveInboundSms(
          { db, leads: deps.leads, leadCodec: deps.leadCodec },
          {
            businessId: auth.businessId,
            from: body.from,
            body: body.body,
            providerId: `LOCALIN-${randomUUID()}`,
            provider: 'local',
            receivedAt: deps.now(),
          },
        );
        return { status: 202, body: { leadId: result.leadId, createdLead: result.createdLead } };
      },
    }),
  ];
}
