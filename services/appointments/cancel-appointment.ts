import type { LeadWorkflowClient } from '../leads/lead-workflow-client';
import { updateAppointment } from './appointment-update';

/**
 * Cancels a lead's appointment through its workflow (the cancelAppointment update): the
 * calendar event and pending reminders go, and the lead is told by text unless opted out.
 */
export function cancelAppointment(deps: { leads: LeadWorkflowClient }, opts: { businessId: string; leadId: string }) {
  return updateAppointment(deps, opts, (leads, leadId) => leads.cancelAppointment(leadId));
}
