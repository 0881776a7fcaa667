import type { AppointmentOutcome } from '../../workflows/lead/definitions';
import type { LeadWorkflowClient } from '../leads/lead-workflow-client';
import { updateAppointment } from './appointment-update';

/**
 * Marks a started appointment completed or a no-show (the appointmentOutcome update): it
 * settles now instead of two hours after its end, and a no-show gets its follow-up text.
 */
export function markAppointmentOutcome(
  deps: { leads: LeadWorkflowClient },
  opts: { businessId: string; leadId: string; outcome: AppointmentOutcome },
) {
  return updateAppointment(deps, opts, (leads, leadId) => leads.markAppointmentOutcome(leadId, opts.outcome));
}
