import type { WebhookEndpointRow } from '../../db/webhooks';

/** An endpoint as it is listed: never its secret. */
export function webhookEndpointView(e: WebhookEndpointRow) {
  return {
    id: e.id,
    url: e.url,
    events: e.events,
    status: e.disabledAt ? ('disabled' as const) : ('enabled' as const),
    failingSince: e.failingSince?.toISOString() ?? null,
    disabledAt: e.disabledAt?.toISOString() ?? null,
    previousSecretExpiresAt: e.previousSecretExpiresAt?.toISOString() ?? null,
    createdAt: e.createdAt.toISOString(),
  };
}

export interface WebhookDeliveryRow {
  id: string;
  eventId: string;
  eventType: string;
  webhookId: string;
  status: string;
  attempts: number;
  responseCode: number | null;
  responseSnippet: string | null;
  lastError: string | null;
  attemptLog: unknown;
  createdAt: Date;
  lastAttemptAt: Date | null;
  succeededAt: Date | null;
}

export function webhookDeliveryView(d: WebhookDeliveryRow) {
  return {
    id: d.id,
    eventId: d.eventId,
    eventType: d.eventType,
    webhookId: d.webhookId,
    status: d.status as 'pending' | 'succeeded' | 'failed',
    attempts: d.attempts,
    responseCode: d.responseCode,
    responseSnippet: d.responseSnippet,
    lastError: d.lastError,
    attemptLog: (Array.isArray(d.attemptLog) ? d.attemptLog : []) as Array<{
      at: string;
      responseCode: number | null;
      error: string | null;
      ok: boolean;
    }>,
    createdAt: d.createdAt.toISOString(),
    lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
    succeededAt: d.succeededAt?.toISOString() ?? null,
  };
}
