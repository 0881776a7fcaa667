import { z } from 'zod';
import { normalisePhone } from '../../domain/phone';

const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    // Control characters have no place in a name or a message and break SMS bodies.
    .refine((v) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(v), 'must not contain control characters');

export const ZPhoneSchema = z.string().transform((raw, ctx) => {
  const result = normalisePhone(raw);
  if (!result.ok) {
    ctx.addIssue({ code: 'custom', message: result.reason });
    return z.NEVER;
  }
  return result.e164;
});

export const ZCaptureLeadSchema = z.strictObject({
  name: text(200).pipe(z.string().min(1, 'is required')),
  phone: ZPhoneSchema,
  email: z.email('must be an email address').max(320).optional(),
  message: text(2000).optional(),
  source: z.enum(['api', 'widget']).default('api'),
});

export type CaptureLead = z.infer<typeof ZCaptureLeadSchema>;

export const ZLeadIdSchema = z.uuid('must be a lead id');

export const ZLeadMessageSchema = z.object({
  id: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  body: z.string(),
  status: z.string(),
  createdAt: z.iso.datetime(),
});

export const ZLeadSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  source: z.string(),
  status: z.string(),
  createdAt: z.iso.datetime(),
  lastActivityAt: z.iso.datetime(),
  messages: z.array(ZLeadMessageSchema),
  workflow: z
    .object({
      id: z.string(),
      status: z.string(),
      nextAction: z.object({ kind: z.string(), at: z.iso.datetime() }).nullable(),
    })
    .nullable(),
});
