import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { WebhookEventType } from '../../services/webhooks/webhook-events';
import '../http/schemas';

const leadId = z.uuid().describe('The lead');
const at = z.iso.datetime();

/** What each event's `data` carries: ids and states; personal data only where the event needs it. */
const EVENTS: Record<WebhookEventType, { summary: string; data: z.ZodObject }> = {
  'lead.captured': {
    summary: 'A lead was captured (widget, API or inbound text)',
    data: z.looseObject({ leadId, source: z.string().optional() }),
  },
  'lead.replied': {
    summary: 'A lead texted back',
    data: z.looseObject({ leadId, messageId: z.uuid().optional() }),
  },
  'lead.handoff_requested': {
    summary: 'A lead asked for a person; the AI has stopped for this lead',
    data: z.looseObject({ leadId }),
  },
  'lead.booked': {
    summary: 'A lead booked an appointment',
    data: z.looseObject({ leadId, appointmentId: z.uuid(), startsAt: at }),
  },
  'lead.rescheduled': {
    summary: 'A lead moved an appointment',
    data: z.looseObject({ leadId, appointmentId: z.uuid(), startsAt: at }),
  },
  'lead.cancelled': {
    summary: 'A lead cancelled an appointment',
    data: z.looseObject({ leadId, appointmentId: z.uuid() }),
  },
  'lead.opted_out': {
    summary: 'A lead opted out (STOP); an open booking stays for the business to decide',
    data: z.looseObject({ leadId, openAppointmentId: z.uuid().nullable().optional() }),
  },
  'job.updated': {
    summary: 'A job changed status',
    data: z.looseObject({ jobId: z.uuid(), status: z.string() }),
  },
  'invoice.paid': {
    summary: 'An invoice was paid',
    data: z.looseObject({ invoiceId: z.string(), jobId: z.uuid().optional() }),
  },
  'appointment.unassigned': {
    summary: 'A removed technician’s appointment found nobody qualified and free: it stays booked, unassigned',
    data: z.looseObject({
      leadId,
      appointmentId: z.uuid(),
      startsAt: at,
      serviceId: z.uuid().nullable(),
      serviceName: z.string().nullable(),
    }),
  },
  'privacy_request.due_soon': {
    summary: 'A data-subject request is due in 7 or 3 days, or overdue',
    data: z.looseObject({ requestId: z.uuid(), dueAt: at }),
  },
  'webhook.ping': {
    summary: 'A test event (POST /v1/webhook-endpoints/{id}/ping)',
    data: z.looseObject({ endpointId: z.uuid() }),
  },
};

const SIGNATURE_HEADERS = z.object({
  'webhook-id': z.string().describe('The message id: the same on every retry and replay; deduplicate on it'),
  'webhook-timestamp': z.string().describe('Seconds since the epoch when this attempt was signed'),
  'webhook-signature': z
    .string()
    .describe(
      'Space-separated `v1,<base64 HMAC-SHA256>` signatures (Standard Webhooks); two during the 24 h after a secret rotation',
    ),
});

/**
 * The OpenAPI 3.1 `webhooks` section: every event leadflow sends, its body, and how it is
 * signed. Deliveries are retried with exponential backoff for up to 3 days until a 2xx.
 */
export function registerWebhookCatalogue(registry: OpenAPIRegistry) {
  for (const [type, event] of Object.entries(EVENTS)) {
    const name = type.replace(/(^|[._])(\w)/g, (_m, _s, c: string) => c.toUpperCase());
    registry.registerWebhook({
      method: 'post',
      path: type,
      // Generated receivers get a sensible handler name (webhookLeadBooked), as routes get theirs.
      operationId: `webhook${name}`,
      summary: event.summary,
      description:
        'Signed with the endpoint’s secret per Standard Webhooks (verify with the `standardwebhooks` libraries). Answer 2xx within 10 s; anything else (redirects included) is retried with exponential backoff for up to 3 days.',
      tags: ['Webhooks'],
      request: {
        headers: SIGNATURE_HEADERS,
        body: {
          content: {
            'application/json': {
              schema: z.object({ type: z.literal(type), timestamp: at, data: event.data }).openapi(`${name}Event`),
            },
          },
        },
      },
      responses: { 200: { description: 'Accepted (any 2xx)' } },
    });
  }
}
