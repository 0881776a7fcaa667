import type { LeadWorkflowClient } from '../leads/lead-workflow-client';
import { updateAppointment } from './appointment-update';

/**
 * Moves a lead's appointment to a new start through its workflow (the moveAppointment
 * update): the slot is re-checked at commit as a booking is, the calendar event and the
 * reminders move with it, and the lead gets the new time by text unless opted out.
 */
export function moveAppointment(
  deps: { leads: LeadWorkflowClient },
  opts: { businessId: string; leadId: string; start: string },
) {
  return updateAppointment(deps, opts, (leads, leadId) => leads.moveAppointment(leadId, { start: opts.start }));
}
