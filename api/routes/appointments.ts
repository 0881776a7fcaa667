import { bookAppointment } from '../../services/appointments/book-appointment';
import { cancelAppointment } from '../../services/appointments/cancel-appointment';
import { markAppointmentOutcome } from '../../services/appointments/mark-appointment-outcome';
import { moveAppointment } from '../../services/appointments/move-appointment';
import { updateJob } from '../../services/jobs/update-job';
import type { Booking } from '../../workflows/lead/definitions';
import type { ApiDeps } from '../deps';
import { defineRoute } from '../http/route';
import { ZErrorSchema } from '../http/schemas';
import {
  APPOINTMENT_CONFLICT,
  ZAppointmentOutcomeSchema,
  ZAppointmentSchema,
  ZBookAppointmentSchema,
  ZMoveAppointmentSchema,
} from './appointment-schemas';
import { JOB_CONFLICT, ZJobSchema, ZJobUpdateSchema, jobView } from './job-schemas';
import { ZLeadIdParamsSchema } from './lead-schemas';

const view = (booking: Booking, status: 'booked' | 'cancelled' | 'completed' | 'no_show') => ({
  appointmentId: booking.appointmentId,
  status,
  start: booking.start,
  end: booking.end,
});

const ROLES: ['owner', 'operator'] = ['owner', 'operator'];

/**
 * A lead's appointment, as the business's app books, moves, cancels and settles it. Each
 * goes through the lead's workflow, which owns the booking and takes its turn with the
 * conversation, so a change here and a text from the lead cannot both win.
 */
export function appointmentRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/leads/:id/appointment',
      tag: 'Appointments',
      summary: 'Book an appointment for a lead (the slot is re-checked against the calendar; the lead gets a text)',
      security: 'apiKey',
      roles: ROLES,
      params: ZLeadIdParamsSchema,
      body: ZBookAppointmentSchema,
      responses: {
        201: { description: 'Booked', schema: ZAppointmentSchema },
        409: { description: 'Not booked: the message says why', schema: ZErrorSchema },
      },
      handler: async ({ params, body, auth }) => {
        const booking = await bookAppointment(deps, { businessId: auth.businessId, leadId: params.id, ...body });
        return { status: 201, body: view(booking, 'booked') };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/leads/:id/appointment',
      tag: 'Appointments',
      summary:
        'Move a lead’s appointment (slot re-checked; the event and the reminders move; the lead gets the new time)',
      security: 'apiKey',
      roles: ROLES,
      params: ZLeadIdParamsSchema,
      body: ZMoveAppointmentSchema,
      responses: {
        200: { description: 'Moved', schema: ZAppointmentSchema },
        409: APPOINTMENT_CONFLICT('Not moved'),
      },
      handler: async ({ params, body, auth }) => {
        const moved = await moveAppointment(deps, {
          businessId: auth.businessId,
          leadId: params.id,
          start: body.start,
        });
        return { status: 200, body: view(moved.booking, moved.status) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/leads/:id/appointment',
      tag: 'Appointments',
      summary: 'Cancel a lead’s appointment (the event and pending reminders go; the lead is told unless opted out)',
      security: 'apiKey',
      roles: ROLES,
      params: ZLeadIdParamsSchema,
      responses: {
        200: { description: 'Cancelled: the appointment as it was', schema: ZAppointmentSchema },
        409: APPOINTMENT_CONFLICT('Nothing cancelled'),
      },
      handler: async ({ params, auth }) => {
        const cancelled = await cancelAppointment(deps, { businessId: auth.businessId, leadId: params.id });
        return { status: 200, body: view(cancelled.booking, cancelled.status) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/leads/:id/appointment/outcome',
      tag: 'Appointments',
      summary: 'Mark a started appointment completed or a no-show (settles it now; a no-show gets its follow-up text)',
      security: 'apiKey',
      roles: ROLES,
      params: ZLeadIdParamsSchema,
      body: ZAppointmentOutcomeSchema,
      responses: {
        200: { description: 'Settled', schema: ZAppointmentSchema },
        409: APPOINTMENT_CONFLICT('Not settled'),
      },
      handler: async ({ params, body, auth }) => {
        const settled = await markAppointmentOutcome(deps, {
          businessId: auth.businessId,
          leadId: params.id,
          outcome: body.outcome,
        });
        return { status: 200, body: view(settled.booking, settled.status) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/leads/:id/job',
      tag: 'Appointments',
      summary:
        'Mark a lead’s job en route (texts "on my way" with the ETA), in progress or finished (texts a thank-you; settles the appointment)',
      security: 'apiKey',
      roles: ROLES,
      params: ZLeadIdParamsSchema,
      body: ZJobUpdateSchema,
      responses: {
        200: { description: 'The job as it is now', schema: ZJobSchema },
        409: JOB_CONFLICT,
      },
      handler: async ({ params, body, auth }) => {
        const job = await updateJob(deps, { businessId: auth.businessId, leadId: params.id, update: body });
        return { status: 200, body: jobView(job) };
      },
    }),
  ];
}
