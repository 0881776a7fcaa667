import type { Request } from 'express';
import twilio from 'twilio';
import { z } from 'zod';
import { businessIdBySmsNumber, withTenant } from '../../db/tenant';
import { MISSED_DIAL_STATUSES, receiveMissedCall, type MissedCallInput } from '../../services/leads/missed-call';
import type { ApiDeps } from '../deps';
import { defineRoute } from '../http/route';

const E164 = /^\+[1-9]\d{6,14}$/;
/** How long the business's phone rings before the call counts as missed (PRODUCT.md, "Missed calls"). */
export const RING_SECONDS = 20;

const ZVoiceCallSchema = z
  .object({
    CallSid: z.string().regex(/^CA[0-9a-fA-F]{32}$/, 'must be a Twilio call SID'),
    // A withheld number arrives as "anonymous" or similar: the call is still put through, and nobody is texted.
    From: z.string().max(40),
    To: z.string().regex(E164, 'must be an E.164 number'),
  })
  .loose()
  .openapi('TwilioVoiceCall');

const ZDialStatusSchema = ZVoiceCallSchema.extend({
  DialCallStatus: z.string().max(20),
}).openapi('TwilioDialStatus');

const twiml = () => new twilio.twiml.VoiceResponse();

/** The URL Twilio calls next must be the public one: it signs what it calls, and the guard checks against it. */
const publicUrl = (deps: ApiDeps, req: Request, path: string) =>
  `${deps.settings.publicBaseUrl?.replace(/\/$/, '') ?? `${req.protocol}://${req.get('host')}`}${path}`;

export function twilioVoiceRoutes(deps: ApiDeps) {
  const responses = { 200: { description: 'TwiML', schema: z.string(), contentType: 'text/xml' } };
  const missed = async (businessId: string, call: Omit<MissedCallInput, 'businessId' | 'at'>) => {
    // A withheld or foreign-format caller id cannot be texted.
    if (!E164.test(call.from)) return 'no_caller_id';
    const result = await receiveMissedCall(
      { db: deps.db, leads: deps.leads, leadCodec: deps.leadCodec, privacyKeys: deps.privacyKeys },
      { ...call, businessId, at: deps.now() },
    );
    return result.outcome === 'suppressed' ? 'missed_call_suppressed' : 'missed_call';
  };

  return [
    defineRoute({
      method: 'post',
      path: '/v1/webhooks/twilio/voice',
      tag: 'Webhooks',
      summary: 'Inbound call from Twilio (form-encoded, signed): rings the business’s own phone',
      description: `Answers TwiML that rings the business's forwarding phone for ${RING_SECONDS} seconds with the business number as caller id; its Dial action is /v1/webhooks/twilio/voice-status. With no forwarding phone the caller hears a short message and the call counts as missed.`,
      security: 'twilioSignature',
      body: ZVoiceCallSchema,
      bodyContentType: 'application/x-www-form-urlencoded',
      responses,
      handler: async ({ body, req }) => {
        const response = twiml();
        const businessId = await businessIdBySmsNumber(deps.db, body.To);
        if (!businessId) {
          // Not ours (a number released or misrouted): a polite goodbye, so Twilio has TwiML to play.
          deps.metrics.webhooks.inc({ source: 'twilio', outcome: 'unknown_number' });
          response.say('Sorry, this number is not taking calls. Goodbye.');
          response.hangup();
          return { status: 200, body: response.toString() };
        }
        const business = await withTenant(deps.db, businessId, (tx) =>
          tx.business.findUniqueOrThrow({ where: { id: businessId }, select: { forwardingPhone: true } }),
        );
        // Ringing the called number itself would call back into this webhook.
        const forward =
          business.forwardingPhone && business.forwardingPhone !== body.To ? business.forwardingPhone : null;
        if (!forward) {
          response.say('Sorry we can’t take your call right now. We’ll text you shortly.');
          response.hangup();
          const outcome = await missed(businessId, { from: body.From, callSid: body.CallSid, reason: 'no_forwarding' });
          deps.metrics.webhooks.inc({ source: 'twilio', outcome });
          return { status: 200, body: response.toString() };
        }
        response
          .dial({
            timeout: RING_SECONDS,
            callerId: body.To,
            action: publicUrl(deps, req, '/v1/webhooks/twilio/voice-status'),
            method: 'POST',
          })
          .number(forward);
        deps.metrics.webhooks.inc({ source: 'twilio', outcome: 'call' });
        return { status: 200, body: response.toString() };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/webhooks/twilio/voice-status',
      tag: 'Webhooks',
      summary: 'Dial action from Twilio (form-encoded, signed): a missed call is texted back',
      description:
        'On DialCallStatus no-answer, busy, failed or canceled the caller is texted within 15 seconds (quiet hours permitting) as a lead with source `missed_call`, or as the lead they already are. Retries of the same CallSid text once.',
      security: 'twilioSignature',
      body: ZDialStatusSchema,
      bodyContentType: 'application/x-www-form-urlencoded',
      responses,
      handler: async ({ body }) => {
        const empty = twiml().toString();
        const status = MISSED_DIAL_STATUSES.find((s) => s === body.DialCallStatus);
        if (!status) {
          deps.metrics.webhooks.inc({ source: 'twilio', outcome: 'call_answered' });
          return { status: 200, body: empty };
        }
        const businessId = await businessIdBySmsNumber(deps.db, body.To);
        if (!businessId) {
          deps.metrics.webhooks.inc({ source: 'twilio', outcome: 'unknown_number' });
          return { status: 200, body: empty };
        }
        const outcome = await missed(businessId, { from: body.From, callSid: body.CallSid, reason: status });
        deps.metrics.webhooks.inc({ source: 'twilio', outcome });
        return { status: 200, body: empty };
      },
    }),
  ];
}
