import { z } from 'zod';
import { ZErrorSchema } from '../http/schemas';
import type { Job } from '../../workflows/lead/definitions';

const JOB_STATUSES = ['scheduled', 'en_route', 'in_progress', 'finished', 'no_show', 'cancelled'] as const;

export const ZJobUpdateSchema = z
  .discriminatedUnion(
    'status',
    [
      z.strictObject({
        status: z.literal('en_route'),
        etaMinutes: z
          .int({ message: 'must be a whole number of minutes' })
          .min(1, { message: 'must be at least 1' })
          .max(600, { message: 'must be at most 600' })
          .optional(),
        technicianName: z
          .string()
          .trim()
          .min(1, { message: 'must not be empty' })
          .max(60, { message: 'must be at most 60 characters' })
          .optional()
          .openapi({ description: 'Only the first name is texted' }),
      }),
      z.strictObject({ status: z.literal('in_progress') }),
      z.strictObject({
        status: z.literal('finished'),
        amountCents: z
          .int({ message: 'must be a whole number of cents' })
          .min(0, { message: 'must not be negative' })
          .max(100_000_000, { message: 'must be at most 100000000' })
          .optional(),
      }),
    ],
    { message: 'status: must be en_route, in_progress or finished' },
  )
  .openapi('JobUpdate');

export const ZJobSchema = z
  .object({
    appointmentId: z.string(),
    status: z.enum(JOB_STATUSES),
    technicianName: z.string().nullable(),
    etaMinutes: z.number().int().nullable(),
    amountCents: z.number().int().nullable(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Job');

export const JOB_CONFLICT = {
  description:
    'Not changed: error.details.reason is no_job (nothing is booked), invalid_transition (error.details.current ' +
    'names the job’s status; scheduled → en_route → in_progress → finished) or erased',
  schema: ZErrorSchema,
};

/** The job as the API shows it: absent fields are null. */
export const jobView = (job: Job): z.infer<typeof ZJobSchema> => ({
  appointmentId: job.appointmentId,
  status: job.status,
  technicianName: job.technicianName ?? null,
  etaMinutes: job.etaMinutes ?? null,
  amountCents: job.amountCents ?? null,
  updatedAt: job.updatedAt,
});
