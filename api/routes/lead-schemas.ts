import { z } from 'zod';
import { ZJobSchema } from './job-schemas';
import { ZLeadInvoiceSchema, ZLeadReviewRequestSchema } from './after-job-schemas';
import { normalisePhone } from '../../domain/phone';
import { ZIdParamSchema } from '../http/schemas';

const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

export const text = (max: number) =>
  z
    .string({ message: 'must be text' })
    .trim()
    .max(max, `must be at most ${max} characters`)
    // Control characters have no place in a name or a message and break SMS bodies.
    .refine((v) => !CONTROL_CHARS.test(v), 'must not contain control characters');

export const ZPhoneSchema = z
  .string({ message: 'must be a phone number as text' })
  .max(40, 'is too long to be a phone number')
  .transform((raw, ctx) => {
    const result = normalisePhone(raw);
    if (!result.ok) {
      ctx.addIssue({ code: 'custom', message: result.reason });
      return z.NEVER;
    }
    return result.e164;
  })
  .openapi({
    type: 'string',
    example: '(212) 555-0142',
    description: 'Any common format; stored as E.164. Numbers without a country code are read as US.',
  });

export const ZConsentSchema = z
  .strictObject({
    text: text(2000)
      .pipe(z.string().min(1, 'is required'))
      .openapi({ description: 'The exact consent text the person saw' }),
    at: z.iso
      .datetime({ message: 'must be an ISO-8601 time' })
      .optional()
      .openapi({ description: 'When consent was given; defaults to now' }),
    ip: z.string().max(64).optional(),
    userAgent: z.string().max(512).optional(),
    pageUrl: z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
      .max(2000)
      .optional(),
    email: z.literal(true).optional().openapi({
      description:
        'The person also agreed to follow-ups by email at the `email` given; without it the lead is never emailed',
    }),
  })
  .openapi('SmsConsent');

export const ZCaptureLeadSchema = z
  .strictObject({
    name: text(200).pipe(z.string().min(1, 'is required')),
    phone: ZPhoneSchema,
    email: z.email('must be an email address').max(320).optional(),
    message: text(2000).optional(),
    source: z.enum(['api', 'widget']).default('api'),
    consent: ZConsentSchema,
    language: z.enum(['en', 'es'], { message: 'must be en or es' }).optional().openapi({
      description:
        'The language to text the lead in (the widget sends its own). Without it: the language of `message`, else the business’s defaultLanguage.',
    }),
  })
  .openapi('CaptureLead');

const idempotencyKey = (description: string) =>
  z
    .string()
    .regex(/^[\x21-\x7E]{1,255}$/, 'must be 1 to 255 visible ASCII characters')
    .optional()
    .openapi({ description });

export const ZCaptureHeadersSchema = z.object({
  'idempotency-key': idempotencyKey(
    'Same key and same body within 24 hours: the same lead and the same answer, even under concurrent retries. The same key with a different body: 422 idempotency_key_reused.',
  ),
});

export const ZMessageHeadersSchema = z.object({
  'idempotency-key': idempotencyKey(
    'Same key, same lead and same text: sent once, and the same answer. The same key with another lead or text: 422 idempotency_key_reused.',
  ),
});

export const ZAcceptedSchema = z.object({ id: z.uuid(), status: z.literal('accepted') }).openapi('CaptureAccepted');

export const ZHandBackAcceptedSchema = z
  .object({ id: z.uuid(), status: z.literal('accepted') })
  .openapi('HandBackAccepted');

export const ZLeadIdParamsSchema = ZIdParamSchema;

export const ZLeadMessageSchema = z
  .object({
    id: z.string(),
    direction: z.enum(['inbound', 'outbound']),
    kind: z.string(),
    body: z.string(),
    status: z.string(),
    aiModel: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi('LeadMessage');

export const ZWorkflowStateSchema = z
  .object({
    id: z.string(),
    status: z.string(),
    nextAction: z.object({ kind: z.string(), at: z.iso.datetime().nullable() }).nullable(),
    waitingFor: z.enum(['subscription', 'sender_number', 'legal_hold_release']).nullable().openapi({
      description: 'sender_number: the business has no number to text from yet; it goes on once one is set',
    }),
    booking: z.object({ appointmentId: z.string(), start: z.iso.datetime(), end: z.iso.datetime() }).nullable(),
    job: ZJobSchema.nullable().openapi({
      description:
        'The booked visit as a job (scheduled until the technician marks it), or the last one; null when none',
    }),
    invoice: ZLeadInvoiceSchema.nullable().openapi({
      description: 'The finished job’s invoice, from its creation to its payment; null when none',
    }),
    reviewRequest: ZLeadReviewRequestSchema.nullable().openapi({
      description: 'The review request after the job (at most one per 90 days) and its reminder; null when none',
    }),
  })
  .openapi('LeadWorkflowState');

export const ZLeadSummarySchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    phone: z.string().nullable(),
    email: z.string().nullable(),
    source: z.string(),
    status: z.string(),
    legalHold: z.boolean(),
    createdAt: z.iso.datetime(),
    lastActivityAt: z.iso.datetime(),
  })
  .openapi('LeadSummary');

export const ZLeadListItemSchema = ZLeadSummarySchema.extend({
  lastMessage: z
    .object({ direction: z.enum(['inbound', 'outbound']), body: z.string(), at: z.iso.datetime() })
    .nullable()
    .openapi({ description: 'The newest message either way; null when there is none or the lead was erased' }),
  waitingFor: z.enum(['person', 'subscription', 'sender_number', 'legal_hold_release']).nullable().openapi({
    description:
      'What the lead waits for, from stored rows: person (handed off to a person and the lead wrote last), subscription (the account is inactive and the lead has had no first reply), sender_number (the business has no number to text from and the lead has had no first reply), legal_hold_release; null when nothing',
  }),
}).openapi('LeadListItem');

export const ZLeadSchema = ZLeadSummarySchema.extend({
  message: z.string().nullable(),
  messages: z.array(ZLeadMessageSchema),
  appointments: z.array(
    z.object({ id: z.string(), startsAt: z.iso.datetime(), endsAt: z.iso.datetime(), status: z.string() }),
  ),
  workflow: ZWorkflowStateSchema.nullable(),
}).openapi('Lead');

export const ZLeadListQuerySchema = z.object({
  q: text(100).optional().openapi({
    description:
      'Search: part of the name (any case), or a phone number in any common format, or at least 3 of its digits. Erased leads never match.',
  }),
  limit: z.coerce.number().int().min(1, 'must be at least 1').max(100, 'must be at most 100').default(25),
  cursor: z.string().max(200).optional(),
  status: z
    .enum(
      [
        'new',
        'contacted',
        'conversing',
        'offered',
        'booked',
        'completed',
        'no_show',
        'handed_off',
        'opted_out',
        'closed',
        'failed',
        'retention_deleted',
        'erased',
      ],
      {
        message:
          'must be a lead status (new, contacted, conversing, offered, booked, completed, no_show, handed_off, opted_out, closed, failed, retention_deleted, erased)',
      },
    )
    .optional(),
  source: z.enum(['api', 'widget', 'sms', 'missed_call']).optional(),
});

export const ZManualMessageSchema = z.strictObject({
  text: text(1600).pipe(z.string().min(1, 'is required')),
});

export const ZManualMessageResultSchema = z
  .object({ messageId: z.string().nullable(), status: z.enum(['sent', 'refused']), reason: z.string().optional() })
  .openapi('ManualMessageResult');
