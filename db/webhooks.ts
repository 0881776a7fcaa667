import { Prisma } from '@prisma/client';
import type { Tx } from './tenant';
import { DAY_MS } from '../domain/time';

/** How long delivery logs are kept. */
export const WEBHOOK_DELIVERY_RETENTION_DAYS = 30;

export interface WebhookEndpointRow {
  id: string;
  businessId: string;
  url: string;
  events: string[];
  secretKeyId: string;
  secretCiphertext: string;
  previousSecretKeyId: string | null;
  previousSecretCiphertext: string | null;
  previousSecretExpiresAt: Date | null;
  failingSince: Date | null;
  disabledAt: Date | null;
  createdAt: Date;
}

export function findWebhookEndpoint(tx: Tx, id: string): Promise<WebhookEndpointRow | null> {
  return tx.webhookEndpoint.findFirst({ where: { id } });
}

export function listWebhookEndpoints(tx: Tx): Promise<WebhookEndpointRow[]> {
  return tx.webhookEndpoint.findMany({ orderBy: { createdAt: 'asc' } });
}

/** The enabled endpoints of the tenant subscribed to `type`. */
export function subscribedEndpoints(tx: Tx, type: string): Promise<WebhookEndpointRow[]> {
  return tx.webhookEndpoint.findMany({ where: { disabledAt: null, events: { has: type } } });
}

export function listWebhookDeliveries(tx: Tx, endpointId: string, opts: { limit: number; before?: Date }) {
  return tx.webhookDelivery.findMany({
    where: { endpointId, ...(opts.before ? { createdAt: { lt: opts.before } } : {}) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: opts.limit,
  });
}

export function findWebhookDelivery(tx: Tx, endpointId: string, id: string) {
  return tx.webhookDelivery.findFirst({ where: { id, endpointId } });
}

export interface AttemptOutcome {
  at: Date;
  responseCode: number | null;
  responseSnippet: string | null;
  error: string | null;
  ok: boolean;
}

/** Logs one attempt on the delivery (appended to its attempt log) and on the endpoint's health. */
export async function recordWebhookAttempt(tx: Tx, deliveryId: string, endpointId: string, o: AttemptOutcome) {
  const entry = JSON.stringify([{ at: o.at.toISOString(), responseCode: o.responseCode, error: o.error, ok: o.ok }]);
  await tx.$executeRaw`
    UPDATE webhook_deliveries SET
      attempts = attempts + 1,
      status = ${o.ok ? 'succeeded' : 'pending'},
      response_code = ${o.responseCode},
      response_snippet = ${o.responseSnippet},
      last_error = ${o.error},
      last_attempt_at = ${o.at},
      succeeded_at = ${o.ok ? o.at : null}::timestamptz,
      attempt_log = attempt_log || ${entry}::jsonb
    WHERE id = ${deliveryId}::uuid`;
  if (o.ok) {
    await tx.webhookEndpoint.updateMany({ where: { id: endpointId }, data: { failingSince: null } });
  } else {
    await tx.webhookEndpoint.updateMany({
      where: { id: endpointId, failingSince: null },
      data: { failingSince: o.at },
    });
  }
}

export function markWebhookDeliveryFailed(tx: Tx, deliveryId: string, error: string) {
  return tx.webhookDelivery.updateMany({
    where: { id: deliveryId, status: { not: 'succeeded' } },
    data: { status: 'failed', lastError: error },
  });
}

/** Disables the endpoint when it has been failing since `cutoff` or earlier; true if this call disabled it. */
export async function disableWebhookEndpointIfFailingSince(tx: Tx, endpointId: string, cutoff: Date, now: Date) {
  const { count } = await tx.webhookEndpoint.updateMany({
    where: { id: endpointId, disabledAt: null, failingSince: { lte: cutoff } },
    data: { disabledAt: now },
  });
  return count > 0;
}

/** Delivery logs past their 30 days, for the tenant in this transaction. */
export function deleteExpiredWebhookDeliveries(tx: Tx, now: Date) {
  const cutoff = new Date(now.getTime() - WEBHOOK_DELIVERY_RETENTION_DAYS * DAY_MS);
  return tx.webhookDelivery.deleteMany({ where: { createdAt: { lt: cutoff } } });
}

export const isUniqueViolation = (err: unknown) =>
  err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';

/**
 * Every tenant's delivery logs past their 30 days (the retention sweep, as the compliance
 * role), except a business under a legal hold's: a hold pauses every deletion path.
 */
export function deleteExpiredWebhookDeliveriesAllTenants(tx: Tx, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - WEBHOOK_DELIVERY_RETENTION_DAYS * DAY_MS);
  return tx.$executeRaw`
    DELETE FROM webhook_deliveries d
    WHERE d.created_at < ${cutoff}
      AND NOT EXISTS (SELECT 1 FROM businesses b WHERE b.id = d.business_id AND b.legal_hold_at IS NOT NULL)`;
}
