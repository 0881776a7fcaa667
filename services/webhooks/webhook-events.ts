/**
 * The events a business can subscribe an endpoint to. Payloads carry ids and states; personal
 * data only where the event cannot do without it. The OpenAPI document's `webhooks` section
 * is built from this list (api/routes/webhook-catalogue.ts).
 */
export const WEBHOOK_EVENT_TYPES = [
  'lead.captured',
  'lead.replied',
  'lead.handoff_requested',
  'lead.booked',
  'lead.rescheduled',
  'lead.cancelled',
  'lead.opted_out',
  'job.updated',
  'invoice.paid',
  'appointment.unassigned',
  'privacy_request.due_soon',
  'webhook.ping',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Endpoints subscribe to these; `webhook.ping` goes only to the endpoint it tests. */
export const SUBSCRIBABLE_EVENT_TYPES = WEBHOOK_EVENT_TYPES.filter((t) => t !== 'webhook.ping');
