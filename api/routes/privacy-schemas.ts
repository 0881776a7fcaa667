import { z } from 'zod';
import { PRIVACY_REQUEST_TYPES, VERIFICATION_METHODS } from '../../workflows/privacy/definitions';
import { ZIdParamSchema } from '../http/schemas';
import { text, ZPhoneSchema } from './lead-schemas';

const required = (max: number) => text(max).pipe(z.string().min(1, 'is required'));

export const ZPrivacyRequestCreateSchema = z
  .strictObject({
    type: z.enum(PRIVACY_REQUEST_TYPES, { message: `must be one of ${PRIVACY_REQUEST_TYPES.join(', ')}` }),
    leadId: z.uuid('must be a lead id').optional().openapi({ description: 'The subject; or give `phone`' }),
    phone: ZPhoneSchema.optional().openapi({
      description: 'Finds the subject by the number on file when `leadId` is not known',
    }),
    verification: z.strictObject({
      method: z.enum(VERIFICATION_METHODS, { message: `must be one of ${VERIFICATION_METHODS.join(', ')}` }).openapi({
        description:
          'code_to_phone: a 6-digit code by SMS to the number on file. business_confirmation: an owner key confirms (at once when an owner key opens the request). code_to_email: a 6-digit code by email to the address on file (422 when there is none).',
      }),
    }),
    agent: z
      .strictObject({
        name: required(200),
        evidence: required(1000).openapi({
          description: 'A reference to the authorisation, e.g. a signed letter’s id',
        }),
      })
      .optional()
      .openapi({ description: 'An authorized agent acting for the person: recorded with the request' }),
    correction: z
      .strictObject({ name: required(200).optional(), email: z.email('must be an email address').max(320).optional() })
      .optional()
      .openapi({ description: 'Correction requests only: the new values' }),
  })
  .superRefine((body, ctx) => {
    if (Boolean(body.leadId) === Boolean(body.phone))
      ctx.addIssue({ code: 'custom', path: ['leadId'], message: 'give exactly one of leadId or phone' });
    if (body.type === 'correction' && !body.correction?.name && !body.correction?.email) {
      ctx.addIssue({ code: 'custom', path: ['correction'], message: 'a correction request needs a new name or email' });
    }
    if (body.type !== 'correction' && body.correction)
      ctx.addIssue({ code: 'custom', path: ['correction'], message: 'only for correction requests' });
  })
  .openapi('PrivacyRequestCreate');

export const ZVerifySchema = z
  .strictObject({
    code: z
      .string()
      .regex(/^\d{6}$/, 'must be the 6-digit code')
      .optional(),
    confirm: z
      .literal(true, { message: 'must be true' })
      .optional()
      .openapi({ description: 'business_confirmation: an owner key confirms the person’s identity' }),
  })
  .superRefine((body, ctx) => {
    if (Boolean(body.code) === Boolean(body.confirm))
      ctx.addIssue({
        code: 'custom',
        path: ['code'],
        message: 'give the code, or confirm: true for business confirmation',
      });
  })
  .openapi('PrivacyRequestVerify');

export const ZPrivacyRequestSchema = z
  .object({
    id: z.uuid(),
    type: z.enum(PRIVACY_REQUEST_TYPES),
    status: z.enum(['received', 'awaiting_verification', 'verified', 'waiting_legal_hold', 'completed', 'rejected']),
    leadId: z.string().nullable(),
    verificationMethod: z.string().nullable(),
    agentRecorded: z.boolean(),
    createdAt: z.iso.datetime(),
    dueAt: z.iso.datetime(),
    verifiedAt: z.iso.datetime().nullable(),
    completedAt: z.iso.datetime().nullable(),
    escalatedAt: z.iso.datetime().nullable(),
    waitingFor: z.enum(['verification', 'legal_hold_release']).nullable(),
    reminders: z
      .array(z.object({ kind: z.enum(['7d', '3d']), at: z.iso.datetime() }))
      .openapi({ description: 'Due-date reminders sent to the business' }),
    outcome: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: 'What was done: counts, categories, the deletion receipt id. Never personal data.' }),
  })
  .openapi('PrivacyRequest');

export const ZPrivacyIdParamsSchema = ZIdParamSchema;

const at = z.iso.datetime();
const nullableAt = at.nullable();

export const ZSubjectExportSchema = z
  .object({
    format: z.literal('leadflow.subject-export.v1'),
    generatedAt: at,
    request: z.object({ id: z.string(), type: z.string() }),
    subject: z.object({
      leadId: z.string(),
      name: z.string(),
      phone: z.string(),
      email: z.string().nullable(),
      message: z.string().nullable(),
      source: z.string(),
      status: z.string(),
      createdAt: at,
      lastActivityAt: at,
      restricted: z.boolean(),
      objected: z.boolean(),
      marketingOptOut: z.boolean(),
    }),
    messages: z.array(
      z.object({
        id: z.string(),
        direction: z.string(),
        kind: z.string(),
        body: z.string(),
        status: z.string(),
        createdAt: at,
        sentAt: nullableAt,
        aiModel: z.string().nullable(),
        promptVersion: z.string().nullable(),
      }),
    ),
    consentRecords: z.array(
      z.object({
        consentText: z.string(),
        capturedAt: at,
        ip: z.string().nullable(),
        userAgent: z.string().nullable(),
        pageUrl: z.string().nullable(),
        method: z.string(),
      }),
    ),
    appointments: z.array(
      z.object({ id: z.string(), startsAt: at, endsAt: at, status: z.string(), service: z.string().nullable() }),
    ),
    suppressions: z.array(z.object({ reason: z.string(), createdAt: at })),
    importedCustomers: z
      .array(
        z.object({
          id: z.string(),
          name: z.string(),
          phone: z.string(),
          email: z.string().nullable(),
          notes: z.string().nullable(),
          textable: z.boolean(),
          importedAt: at,
          consentRecords: z.array(z.object({ consentText: z.string(), capturedAt: at, method: z.string() })),
          appointments: z.array(z.object({ startsAt: at, service: z.string().nullable() })),
        }),
      )
      .openapi({ description: 'What the business imported about the same person (same phone or email address)' }),
    jobInvoices: z
      .array(
        z.object({
          id: z.string(),
          appointmentId: z.string(),
          amountCents: z.number(),
          currency: z.string(),
          status: z.string(),
          hostedUrl: z.string().nullable(),
          createdAt: at,
          paidAt: nullableAt,
        }),
      )
      .openapi({ description: 'The invoices of the person’s jobs (Stripe holds the customer’s details)' }),
    privacyRequests: z.array(
      z.object({
        id: z.string(),
        type: z.string(),
        status: z.string(),
        createdAt: at,
        dueAt: at,
        verifiedAt: nullableAt,
        completedAt: nullableAt,
        agentName: z.string().nullable(),
      }),
    ),
    auditTrail: z
      .array(
        z.object({
          at,
          action: z.string(),
          entity: z.string(),
          entityId: z.string().nullable(),
          actorRole: z.string(),
          actorKeyId: z.string().nullable(),
          ip: z.string().nullable(),
        }),
      )
      .openapi({ description: 'Who read or changed this person’s data through the API, this export included' }),
  })
  .openapi('SubjectExport');
