import type { AppointmentRefusal, AppointmentResult, Booking } from '../../workflows/lead/definitions';
import { AppError, notFound } from '../app-error';
import { isUuid } from '../../domain/ids';
import {
  isWorkflowNotFound,
  updateRefusal,
  updateRefusalType,
  type LeadWorkflowClient,
} from '../leads/lead-workflow-client';

/** Each refusal in the caller's words; `details.reason` carries the code a client branches on. */
const REFUSALS: Record<AppointmentRefusal, string> = {
  no_appointment: 'the lead has no appointment',
  slot_taken: 'start: the slot is taken',
  slot_in_past: 'start: the slot is in the past',
  not_started: 'the appointment has not started yet',
  erased: 'the lead was erased',
};

const refused = (reason: AppointmentRefusal) => new AppError('conflict', REFUSALS[reason], { reason });

/**
 * Runs one of the business's appointment updates on a lead's workflow (move, cancel, mark),
 * which takes its turn with the conversation and re-checks there. Another business's lead
 * is not found; a refusal, from the validator or the handler, is a 409 naming its reason.
 */
export async function updateAppointment(
  deps: { leads: LeadWorkflowClient },
  opts: { businessId: string; leadId: string },
  update: (leads: LeadWorkflowClient, leadId: string) => Promise<AppointmentResult>,
): Promise<{ booking: Booking; status: 'booked' | 'cancelled' | 'completed' | 'no_show' }> {
  if (!isUuid(opts.leadId) || (await deps.leads.ownerOf(opts.leadId)) !== opts.businessId) throw notFound('lead');
  let result: AppointmentResult;
  try {
    result = await update(deps.leads, opts.leadId);
  } catch (err) {
    const type = updateRefusalType(err);
    if (type !== null && type in REFUSALS) throw refused(type as AppointmentRefusal);
    const refusal = updateRefusal(err);
    if (refusal !== null) throw new AppError('conflict', refusal);
    if (isWorkflowNotFound(err)) throw notFound('lead');
    throw err;
  }
  if (!result.ok) throw refused(result.reason);
  return { booking: result.booking, status: result.status };
}
