import { z } from 'zod';
import { ZPathIdSchema, inDateRange, DATE_MIN, DATE_MAX } from '../http/schemas';
import { ZWeeklyHoursSchema } from './business-schemas';
import { text } from './lead-schemas';

const ZTimeSchema = z.iso
  .datetime({ offset: true, message: 'must be an ISO-8601 time' })
  .refine((v) => inDateRange(new Date(v)), `must be from ${DATE_MIN} and before ${DATE_MAX}`);

const ZTechnicianFields = z.strictObject({
  name: text(120).pipe(z.string().min(1, 'is required')),
  active: z.boolean(),
  weeklyHours: ZWeeklyHoursSchema.openapi({
    description: 'When this person works, in the business’s time zone (the business hours’ shape)',
  }),
  calendar: z.enum(['builtin', 'google'], { message: 'must be builtin or google' }).openapi({
    description:
      'builtin: leadflow’s appointments only. google: also the busy times of a calendar of the connected Google account, where their bookings are written',
  }),
  googleCalendarId: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(320, 'must be at most 320 characters')
    .nullable()
    .openapi({ description: 'With calendar google: which calendar; null: the one chosen for the business' }),
  serviceIds: z
    .array(z.uuid({ message: 'must be a service id' }))
    .max(100, 'at most 100 services')
    .openapi({ description: 'The services this person does: they are offered and booked only for these' }),
});

export const ZCreateTechnicianSchema = ZTechnicianFields.partial()
  .required({ name: true })
  .openapi('CreateTechnician', { description: 'Without weeklyHours the person works the business hours' });
export const ZPatchTechnicianSchema = ZTechnicianFields.partial().openapi('PatchTechnician');

export const ZTimeOffInputSchema = z
  .strictObject({
    startsAt: ZTimeSchema,
    endsAt: ZTimeSchema,
    reason: text(200).nullable().optional(),
  })
  .refine((t) => Date.parse(t.endsAt) > Date.parse(t.startsAt), { message: 'must be after startsAt', path: ['endsAt'] })
  .refine((t) => Date.parse(t.endsAt) - Date.parse(t.startsAt) <= 366 * 86_400_000, {
    message: 'a period is at most 366 days',
    path: ['endsAt'],
  })
  .openapi('TimeOffInput');

export const ZTimeOffSchema = z
  .object({ id: z.uuid(), startsAt: z.iso.datetime(), endsAt: z.iso.datetime(), reason: z.string().nullable() })
  .openapi('TimeOff');

export const ZTechnicianSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    active: z.boolean(),
    weeklyHours: ZWeeklyHoursSchema,
    calendar: z.enum(['builtin', 'google']),
    googleCalendarId: z.string().nullable(),
    serviceIds: z.array(z.uuid()),
    timeOff: z.array(ZTimeOffSchema).describe('Periods that have not ended yet, soonest first'),
    createdAt: z.iso.datetime(),
  })
  .openapi('Technician');

export const ZTimeOffParamsSchema = z.object({ id: ZPathIdSchema, timeOffId: ZPathIdSchema });

export const ZTechnicianRemovalSchema = z
  .object({
    reassigned: z.number().int().min(0).openapi({
      description: 'Their appointments still to come now with another person who does the service and is free then',
    }),
    unassigned: z.number().int().min(0).openapi({
      description:
        'Their appointments still to come that nobody could take: still booked, unassigned, one `appointment_unassigned` alert each',
    }),
  })
  .openapi('TechnicianRemoval');
