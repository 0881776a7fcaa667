import { z } from 'zod';
import { ZAlertChannelsSchema } from '../../services/alerts/alert-channels';
import { overrideProblems } from '../../domain/retention';
import { API_KEY_ROLES } from '../../domain/roles';
import '../http/schemas';
import { text, ZPhoneSchema } from './lead-schemas';

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time as HH:MM (24-hour)');
const range = z
  .object({ start: HHMM, end: HHMM })
  .refine((r) => r.start < r.end, { message: 'must end after it starts', path: ['end'] });

export const ZWeeklyHoursSchema = z
  .strictObject({
    mon: z.array(range),
    tue: z.array(range),
    wed: z.array(range),
    thu: z.array(range),
    fri: z.array(range),
    sat: z.array(range),
    sun: z.array(range),
  })
  .partial()
  .openapi('WeeklyHours', {
    example: { mon: [{ start: '08:00', end: '17:00' }], sat: [{ start: '09:00', end: '13:00' }] },
  });

export const ZTimeZoneSchema = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone, e.g. America/New_York' },
);

export const ZOriginSchema = z.string().refine(
  (v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === v;
    } catch {
      return false;
    }
  },
  { message: 'must be an origin such as https://www.example.com (scheme and host, no path)' },
);

export const ZServiceInputSchema = z.strictObject({
  id: z.uuid().optional(),
  name: text(120).pipe(z.string().min(1, 'is required')),
  durationMinutes: z
    .number()
    .int()
    .min(15, 'must be at least 15')
    .max(12 * 60, 'must be at most 720'),
  priceCents: z.number().int().min(0).max(10_000_000).nullable().default(null),
  priceNote: text(200).nullable().default(null),
  active: z.boolean().default(true),
});

export const ZBusinessSettingsSchema = z.strictObject({
  name: text(200).pipe(z.string().min(1, 'is required')),
  timeZone: ZTimeZoneSchema,
  botName: text(40).pipe(z.string().min(1, 'is required')),
  smsNumber: ZPhoneSchema.nullable(),
  contactPhone: ZPhoneSchema.nullable(),
  contactEmail: z.email('must be an email address').nullable(),
  forwardingPhone: ZPhoneSchema.nullable().openapi({
    description: 'The business’s own phone: a call to smsNumber rings it for 20 seconds before it counts as missed.',
  }),
  missedCallReplyAtNight: z.boolean().openapi({
    description: 'Text a call missed between 21:00 and 08:00 (the caller’s time) back at once; otherwise at 08:00.',
  }),
  defaultLanguage: z.enum(['en', 'es'], { message: 'must be en or es' }).openapi({
    description:
      'The language leads are texted in until their own is known: the widget’s language, or the one a lead writes in.',
  }),
  reviewUrl: z
    .url({ protocol: /^https$/, message: 'must be an https URL' })
    .max(500, 'must be at most 500 characters')
    .nullable()
    .openapi({
      description:
        'Where customers leave a review (https). After a paid invoice, or a finished job with nothing invoiced, the lead gets one text with it and one reminder 3 days later; null: no review requests.',
    }),
  stripeConnectAccountId: z
    .string()
    .regex(/^acct_[A-Za-z0-9]{1,64}$/, 'must be a Stripe account id (acct_…)')
    .nullable()
    .openapi({
      description:
        'The business’s own Stripe account (Connect): finished jobs with an amount are invoiced on it. Null: on leadflow’s account (development).',
    }),
  businessHours: ZWeeklyHoursSchema,
  holidays: z.array(z.iso.date({ message: 'must be a date as YYYY-MM-DD' })).max(366),
  followUpCadence: z
    .array(
      z
        .number()
        .int()
        .min(5, 'must be at least 5 minutes')
        .max(60 * 24 * 60, 'must be at most 60 days'),
    )
    .max(10, 'at most 10 follow-ups')
    .refine((c) => c.every((m, i) => i === 0 || m > c[i - 1]!), 'must be in increasing order'),
  followUpChannels: z
    .array(z.enum(['sms', 'email', 'both'], { message: 'must be sms, email or both' }))
    .max(10, 'at most 10 follow-ups')
    .openapi({
      description:
        'Per follow-up step, in cadence order: sms, email or both. A step without an entry is sms. Email goes only to leads who consented to it (`consent.email`); an email step for a lead without that consent is texted instead.',
    }),
  aiEnabled: z.boolean(),
  facts: text(4000),
  consentText: text(2000).pipe(z.string().min(20, 'must say what the person agrees to')),
  allowedOrigins: z.array(ZOriginSchema).max(20),
  bookingBufferMinutes: z.number().int().min(0).max(240),
  retentionOverrides: z.record(z.string(), z.number()).superRefine((o, ctx) => {
    for (const problem of overrideProblems(o)) ctx.addIssue({ code: 'custom', message: problem });
  }),
  services: z.array(ZServiceInputSchema).max(50),
  /** Alert channels beyond the app inbox; what is left out keeps its default (on). */
  alertChannels: ZAlertChannelsSchema,
});

export const ZCreateBusinessSchema = ZBusinessSettingsSchema.partial()
  .extend({ name: ZBusinessSettingsSchema.shape.name })
  .openapi('CreateBusiness');
export const ZPatchBusinessSchema = ZBusinessSettingsSchema.partial().openapi('PatchBusiness');

export const ZServiceSchema = z.object({
  id: z.string(),
  name: z.string(),
  durationMinutes: z.number(),
  priceCents: z.number().nullable(),
  priceNote: z.string().nullable(),
  active: z.boolean(),
});

export const ZBusinessSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    timeZone: z.string(),
    botName: z.string(),
    smsNumber: z.string().nullable(),
    contactPhone: z.string().nullable(),
    contactEmail: z.string().nullable(),
    forwardingPhone: z.string().nullable(),
    missedCallReplyAtNight: z.boolean(),
    defaultLanguage: z.enum(['en', 'es']),
    reviewUrl: z.string().nullable(),
    stripeConnectAccountId: z.string().nullable(),
    businessHours: z.unknown(),
    holidays: z.unknown(),
    followUpCadence: z.array(z.number()),
    followUpChannels: z.array(z.enum(['sms', 'email', 'both'])),
    aiEnabled: z.boolean(),
    facts: z.string(),
    consentText: z.string(),
    allowedOrigins: z.array(z.string()),
    bookingBufferMinutes: z.number(),
    retentionOverrides: z.unknown(),
    subscriptionStatus: z.string(),
    legalHold: z.boolean(),
    services: z.array(ZServiceSchema),
    alertChannels: z.object({ sms: z.boolean(), email: z.boolean(), webhooks: z.boolean() }),
    createdAt: z.iso.datetime(),
  })
  .openapi('Business');

export const ZApiKeyRoleSchema = z.enum(API_KEY_ROLES);

export const ZCreateApiKeySchema = z
  .strictObject({ role: ZApiKeyRoleSchema, label: text(100).default('') })
  .openapi('CreateApiKey');

export const ZApiKeySchema = z
  .object({
    id: z.string(),
    role: ZApiKeyRoleSchema,
    label: z.string(),
    prefix: z.string().openapi({ description: 'The recognisable start of the key' }),
    createdAt: z.iso.datetime(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .openapi('ApiKey');

export const ZNewApiKeySchema = ZApiKeySchema.extend({
  key: z.string().openapi({ description: 'Shown once; store it now' }),
}).openapi('NewApiKey');

export const ZCreatedBusinessSchema = z
  .object({ business: ZBusinessSchema, ownerKey: ZNewApiKeySchema })
  .openapi('CreatedBusiness');
