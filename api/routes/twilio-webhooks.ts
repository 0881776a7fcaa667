import type { RequestHandler } from 'express';
import twilio from 'twilio';
import { z } from 'zod';
import { recordEvent } from '../../db/event-log';
import { businessIdBySmsNumber, withTenant } from '../../db/tenant';
import { isCarrierRefusal, reportCarrierRefusal } from '../../services/alerts/report-carrier-refusal';
import { receiveInboundSms } from '../../services/leads/receive-inbound-sms';
import type { ApiDeps } from '../deps';
import { AppError } from '../http/errors';
import { defineRoute } from '../http/route';

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';
const E164 = /^\+[1-9]\d{6,14}$/;

/** Twilio signs the full public URL it called; behind a proxy that is PUBLIC_BASE_URL, not our local address. */
export function twilioSignature(deps: ApiDeps): RequestHandler {
  return (req, _res, next) => {
    const token = deps.settings.twilioAuthToken;
    const signature = req.get('x-twilio-signature');
    if (!token) return next(new AppError('forbidden', 'Twilio is not configured on this server'));
    if (!signature) return next(new AppError('forbidden', 'missing X-Twilio-Signature'));
    const base = deps.settings.publicBaseUrl?.replace(/\/$/, '') ?? `${req.protocol}://${req.get('host')}`;
    const params = typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, string>) : {};
    if (!twilio.validateRequest(token, signature, `${base}${req.originalUrl}`, params)) {
      deps.metrics.webhooks.inc({ source: 'twilio', outcome: 'bad_signature' });
      return next(new AppError('forbidden', 'the Twilio signature does not match'));
    }
    next();
  };
}

const ZInboundSchema = z
  .object({
    MessageSid: z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/, 'must be a Twilio message SID'),
    From: z.string().regex(E164, 'must be an E.164 number'),
    To: z.string().regex(E164, 'must be an E.164 number'),
    Body: z.string().max(1600).default(''),
  })
  .loose()
  .openapi('TwilioInboundSms');

const ZStatusSchema = z
  .object({
    MessageSid: z.string().min(2),
    MessageStatus: z.string(),
    From: z.string().optional(),
    ErrorCode: z.string().optional(),
  })
  .loose()
  .openapi('TwilioStatusCallback');

/** Later states win; a late "sent" never overwrites "delivered". */
const STATUS_RANK: Record<string, number> = {
  queued: 1,
  accepted: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
  read: 5,
};

export function twilioWebhookRoutes(deps: ApiDeps) {
  const twiml = { 200: { description: 'Empty TwiML', schema: z.string(), contentType: 'text/xml' } };
  return [
    defineRoute({
      method: 'post',
      path: '/v1/webhooks/twilio/sms',
      tag: 'Webhooks',
      summary: 'Inbound SMS from Twilio (form-encoded, signed)',
      description: 'Retries of the same MessageSid are processed once. A sender new to the business becomes a lead.',
      security: 'twilioSignature',
      body: ZInboundSchema,
      bodyContentType: 'application/x-www-form-urlencoded',
      responses: twiml,
      handler: async ({ body }) => {
        const businessId = await businessIdBySmsNumber(deps.db, body.To);
        if (!businessId) {
          // Not ours (a number released or misrouted): answer, so Twilio does not retry forever.
          deps.metrics.webhooks.inc({ source: 'twilio', outcome: 'unknown_number' });
          return { status: 200, body: EMPTY_TWIML };
        }
        const result = await receiveInboundSms(
          { db: deps.db, leads: deps.leads, leadCodec: deps.leadCodec },
          {
            businessId,
            from: body.From,
            body: body.Body,
            providerId: body.MessageSid,
            provider: 'twilio',
            receivedAt: deps.now(),
          },
        );
        deps.metrics.webhooks.inc({ source: 'twilio', outcome: result.duplicate ? 'duplicate' : 'inbound' });
        return { status: 200, body: EMPTY_TWIML };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/webhooks/twilio/status',
      tag: 'Webhooks',
      summary: 'Delivery status callback from Twilio (form-encoded, signed)',
      security: 'twilioSignature',
      body: ZStatusSchema,
      bodyContentType: 'application/x-www-form-urlencoded',
      responses: twiml,
      handler: async ({ body }) => {
        const businessId = body.From && E164.test(body.From) ? await businessIdBySmsNumber(deps.db, body.From) : null;
        if (!businessId) return { status: 200, body: EMPTY_TWIML };
        const unsubscribed = body.ErrorCode === '21610';
        const leadId = await withTenant(deps.db, businessId, async (tx) => {
          const message = await tx.message.findUnique({
            where: { providerId: body.MessageSid },
            include: { lead: { select: { phone: true } } },
          });
          if (!message) return null;
          if ((STATUS_RANK[body.MessageStatus] ?? 0) >= (STATUS_RANK[message.status] ?? 0)) {
            await tx.message.update({
              where: { id: message.id },
              data: { status: body.MessageStatus, errorCode: body.ErrorCode ?? message.errorCode },
            });
          }
          await recordEvent(tx, {
            businessId,
            leadId: message.leadId,
            category: 'sms_delivery',
            event: 'status_callback',
            detail: {
              messageId: message.id,
              status: body.MessageStatus.slice(0, 40),
              errorCode: body.ErrorCode?.slice(0, 20) ?? null,
            },
          });
          if (unsubscribed) {
            await tx.suppression.upsert({
              where: { businessId_phone: { businessId, phone: message.lead.phone } },
              create: { businessId, phone: message.lead.phone, reason: 'carrier' },
              update: {},
            });
          }
          return message.leadId;
        });
        if (leadId && unsubscribed)
          await deps.leads.optOut(leadId, { at: deps.now().toISOString(), reason: 'carrier' });
        if (leadId && isCarrierRefusal(body.MessageStatus, body.ErrorCode))
          await reportCarrierRefusal(deps, { leadId, providerMessageId: body.MessageSid, errorCode: body.ErrorCode! });
        deps.metrics.webhooks.inc({ source: 'twilio', outcome: 'status' });
        return { status: 200, body: EMPTY_TWIML };
      },
    }),
  ];
}
