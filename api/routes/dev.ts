import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { findDevEmails } from '../../db/emails';
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

const ZDevEmailSchema = z
  .object({
    id: z.string(),
    leadId: z.string().nullable(),
    from: z.string(),
    to: z.string(),
    subject: z.string(),
    body: z.string(),
    headers: z.record(z.string(), z.string()),
    kind: z.string(),
    status: z.string(),
    createdAt: z.iso.datetime(),
  })
  .openapi('DevEmail');

/** The development routes of whichever providers are the local stand-ins. */
export function devRoutes(deps: ApiDeps) {
  return [
    ...(deps.settings.localSms ? devSmsRoutes(deps) : []),
    ...(deps.settings.localEmail !== false ? devEmailRoutes(deps) : []),
  ];
}

/** With the local email provider, the email log is the outbox: read what leadflow "sent". Gone when Resend is configured. */
function devEmailRoutes(deps: ApiDeps) {
  const { db } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/v1/dev/emails',
      tag: 'Development',
      summary: 'Emails sent through the local email provider, newest first',
      security: 'apiKey',
      roles: ['owner', 'operator'],
      query: z.object({
        leadId: z.uuid('must be a lead id').optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
      responses: { 200: { description: 'Email outbox', schema: z.object({ data: z.array(ZDevEmailSchema) }) } },
      handler: async ({ query, auth, req }) => {
        const data = await withTenant(db, auth.businessId, async (tx) => {
          const found = await findDevEmails(tx, { limit: query.limit, leadId: query.leadId });
          await audit(tx, auth, { action: 'list', entity: 'email' }, clientAddress(req));
          return found;
        });
        return { status: 200, body: { data } };
      },
    }),
  ];
}

/**
 * With the local SMS provider, the outbox table is the carrier: read what leadflow sent,
 * and answer as the lead. These routes do not exist when Twilio is configured.
 *
 * The outbox is the lead's phone, so it shows each text as the phone would, data-subject
 * verification codes included: that is how a developer plays a privacy request through.
 * No real person receives these texts, so no one's code is exposed. Every other view of
 * messages (the lead, exports, the AI's context) hides codes (db/messages.ts).
 */
function devSmsRoutes(deps: ApiDeps) {
  const { db } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/v1/dev/outbox',
      tag: 'Development',
      summary: 'Texts sent through the local SMS provider, newest first',
      description:
        'Roles: owner, operator. Only with the local SMS provider, which stands in for the lead’s phone: texts appear as the phone would show them, verification codes included (every other answer hides codes).',
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
