import type { Booking } from '../../workflows/lead/definitions';
import { AppError, notFound } from '../app-error';
import { isUuid } from '../../domain/ids';
import { isWorkflowNotFound, updateRefusal, type LeadWorkflowClient } from '../leads/lead-workflow-client';

/**
 * Books a slot for a lead through its workflow (the bookSlot update): the workflow owns the
 * conversation's booking state, re-checks the slot against the calendar at commit and sends
 * the confirmation, so a booking made here and one made by text cannot both win.
 */
export async function bookAppointment(
  deps: { leads: LeadWorkflowClient },
  opts: { businessId: string; leadId: string; start: string; serviceId?: string },
): Promise<Booking> {
  if (!isUuid(opts.leadId) || (await deps.leads.ownerOf(opts.leadId)) !== opts.businessId) throw notFound('lead');
  let result: Awaited<ReturnType<LeadWorkflowClient['bookSlot']>>;
  try {
    result = await deps.leads.bookSlot(opts.leadId, { start: opts.start, serviceId: opts.serviceId });
  } catch (err) {
    const refusal = updateRefusal(err);
    if (refusal !== null) throw new AppError('conflict', refusal);
    if (isWorkflowNotFound(err)) throw notFound('lead');
    throw err;
  }
  if (!result.ok) throw new AppError('conflict', `the slot was not booked: ${result.reason}`);
  return result.booking;
}
