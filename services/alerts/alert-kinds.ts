import type { WebhookEventType } from '../webhooks/webhook-events';

/** What leadflow alerts a business about; each is raised by the workflow that owns the event. */
export const ALERT_KINDS = [
  'handoff_requested',
  'booked',
  'moved',
  'cancelled',
  'no_slot_fits',
  'opted_out_with_booking',
  'carrier_refused',
  'privacy_due_7d',
  'privacy_due_3d',
  'privacy_overdue',
  'account_paused',
  'webhook_endpoint_disabled',
  'job_updated',
  'invoice_paid',
  'invoice_failed',
  'appointment_unassigned',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** Short reasons in our words: an alert never carries the lead's message text. */
export const ALERT_REASONS: Record<AlertKind, string> = {
  handoff_requested: 'A lead asked to talk to a person',
  booked: 'A lead booked an appointment',
  moved: 'A lead moved an appointment',
  cancelled: 'A lead cancelled an appointment',
  no_slot_fits: 'No open slot fits a lead who wants to book',
  opted_out_with_booking: 'A lead with an open booking opted out of texts; the appointment stays, you decide',
  carrier_refused: 'The carrier refused a text to a lead',
  privacy_due_7d: 'A data-subject request is due in 7 days',
  privacy_due_3d: 'A data-subject request is due in 3 days',
  privacy_overdue: 'A data-subject request is overdue',
  account_paused: 'Your account is paused for billing: automated texts are on hold',
  webhook_endpoint_disabled: 'A webhook endpoint failed for 3 days and was turned off',
  job_updated: 'A job changed status',
  invoice_paid: 'A customer paid a job’s invoice',
  invoice_failed: 'Stripe could not create a job’s invoice: invoice this customer yourself',
  appointment_unassigned: 'A removed technician’s appointment has nobody qualified and free: assign or move it',
};

/** The technician's own updates: for the inbox and the business's systems, not texted or emailed back to it. */
export const WEBHOOK_ONLY_ALERT_KINDS: readonly AlertKind[] = ['job_updated', 'invoice_paid'];

/** Privacy alerts are also for the compliance role. */
export const PRIVACY_ALERT_KINDS: readonly AlertKind[] = ['privacy_due_7d', 'privacy_due_3d', 'privacy_overdue'];

/** The webhook event an alert becomes; null where the catalogue has none yet. */
export const ALERT_WEBHOOK_EVENTS: Record<AlertKind, WebhookEventType | null> = {
  handoff_requested: 'lead.handoff_requested',
  booked: 'lead.booked',
  moved: 'lead.rescheduled',
  cancelled: 'lead.cancelled',
  no_slot_fits: null,
  opted_out_with_booking: 'lead.opted_out',
  carrier_refused: null,
  privacy_due_7d: 'privacy_request.due_soon',
  privacy_due_3d: 'privacy_request.due_soon',
  privacy_overdue: null,
  account_paused: null,
  webhook_endpoint_disabled: null,
  job_updated: 'job.updated',
  invoice_paid: 'invoice.paid',
  invoice_failed: null,
  appointment_unassigned: 'appointment.unassigned',
};
