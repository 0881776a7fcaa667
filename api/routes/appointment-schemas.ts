import { z } from 'zod';
import { ZErrorSchema } from '../http/schemas';

const start = z.iso
  .datetime({ offset: true, message: 'must be an ISO-8601 time with a zone, e.g. 2026-03-05T15:00:00Z' })
  .openapi({ example: '2026-03-05T15:00:00Z' });

export const ZBookAppointmentSchema = z.strictObject({
  start,
  serviceId: z.uuid({ message: 'must be a service id' }).optional(),
});

export const ZMoveAppointmentSchema = z.strictObject({ start });

export const ZAppointmentOutcomeSchema = z.strictObject({
  outcome: z.enum(['completed', 'no_show'], { message: 'must be completed or no_show' }),
});

export const ZAppointmentSchema = z
  .object({
    appointmentId: z.string(),
    status: z.enum(['booked', 'cancelled', 'completed', 'no_show']),
    start: z.iso.datetime(),
    end: z.iso.datetime(),
  })
  .openapi('Appointment');

/** Every 409 of these routes: the Error shape, with the reason a client branches on in error.details.reason. */
export const APPOINTMENT_CONFLICT = (what: string) => ({
  description:
    `${what}: error.details.reason is no_appointment (the lead has none), slot_taken, slot_in_past, ` +
    'not_started (an outcome before the start) or erased',
  schema: ZErrorSchema,
});
