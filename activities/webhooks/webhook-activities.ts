import { ApplicationFailure } from '@temporalio/activity';
import { Webhook } from 'standardwebhooks';
import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import {
  disableWebhookEndpointIfFailingSince,
  markWebhookDeliveryFailed,
  recordWebhookAttempt,
  type WebhookEndpointRow,
} from '../../db/webhooks';
import type { Keyring } from '../../domain/crypto/keyring';
import type { Logger } from '../../logging/logger';
import { openWebhookSecret, webhookSecretBox } from '../../services/webhooks/webhook-secrets';
import { postWebhook } from './post-webhook';
import { DAY_MS } from '../../domain/time';

/** An endpoint that has failed every attempt for this long is disabled. */
export const DISABLE_AFTER_FAILING_MS = 3 * DAY_MS;

export const WEBHOOK_FAILURES = {
  gone: 'webhook_endpoint_gone',
  refused: 'webhook_address_refused',
  disabled: 'webhook_endpoint_disabled',
  noKey: 'webhook_no_encryption_key',
  failed: 'webhook_delivery_failed',
} as const;

export interface WebhookActivityDeps {
  db: Db;
  keyring: Keyring | null;
  log: Logger;
  /** WEBHOOK_ALLOW_PRIVATE=1: http and private addresses allowed (development, tests). */
  allowPrivate?: boolean;
  now?: () => Date;
}

export interface DeliveryRef {
  businessId: string;
  endpointId: string;
  deliveryId: string;
}

/** The current secret, and the previous one while its overlap lasts: Standard Webhooks allows several signatures. */
function signatures(keyring: Keyring, e: WebhookEndpointRow, id: string, at: Date, body: string): string {
  const box = webhookSecretBox(keyring);
  const secrets = [openWebhookSecret(box, e.id, { keyId: e.secretKeyId, ciphertext: e.secretCiphertext })];
  if (
    e.previousSecretKeyId &&
    e.previousSecretCiphertext &&
    e.previousSecretExpiresAt &&
    e.previousSecretExpiresAt > at
  )
    secrets.push(
      openWebhookSecret(box, e.id, { keyId: e.previousSecretKeyId, ciphertext: e.previousSecretCiphertext }),
    );
  return secrets.map((s) => new Webhook(s).sign(id, at, body)).join(' ');
}

export function createWebhookActivities(deps: WebhookActivityDeps) {
  const now = deps.now ?? (() => new Date());
  const tenant = <T>(businessId: string, fn: Parameters<typeof withTenant<T>>[2]) =>
    withTenant(deps.db, businessId, fn);

  return {
    /**
     * One attempt: a failure is logged on the delivery, then thrown (retryable) so Temporal
     * backs off and tries again; refusals and disabled endpoints are not retried.
     */
    async deliverWebhook(ref: DeliveryRef): Promise<{ status: 'succeeded'; responseCode: number }> {
      if (!deps.keyring)
        throw ApplicationFailure.create({
          type: WEBHOOK_FAILURES.noKey,
          message: 'ENCRYPTION_KEY is not set',
          nonRetryable: true,
        });
      const keyring = deps.keyring;
      const loaded = await tenant(ref.businessId, async (tx) => ({
        endpoint: await tx.webhookEndpoint.findFirst({ where: { id: ref.endpointId } }),
        delivery: await tx.webhookDelivery.findFirst({ where: { id: ref.deliveryId, endpointId: ref.endpointId } }),
      }));
      const { endpoint, delivery } = loaded;
      if (!endpoint || !delivery || endpoint.disabledAt)
        throw ApplicationFailure.create({
          type: WEBHOOK_FAILURES.gone,
          message: 'the endpoint was deleted or disabled',
          nonRetryable: true,
        });
      if (delivery.status === 'succeeded') return { status: 'succeeded', responseCode: delivery.responseCode ?? 200 };

      const at = now();
      const headers = {
        'webhook-id': delivery.webhookId,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signatures(keyring, endpoint, delivery.webhookId, at, delivery.payload),
      };
      const outcome = await postWebhook(endpoint.url, delivery.payload, headers, {
        allowPrivate: deps.allowPrivate ?? false,
      });
      const ok = outcome.kind === 'response' && outcome.status >= 200 && outcome.status < 300;
      const error = outcome.kind === 'response' ? (ok ? null : `HTTP ${outcome.status}`) : outcome.error;
      await tenant(ref.businessId, (tx) =>
        recordWebhookAttempt(tx, delivery.id, endpoint.id, {
          at,
          ok,
          responseCode: outcome.kind === 'response' ? outcome.status : null,
          responseSnippet: outcome.kind === 'response' ? outcome.snippet : null,
          error,
        }),
      );
      deps.log.info(
        { businessId: ref.businessId, endpointId: endpoint.id, deliveryId: delivery.id, ok, error },
        'webhook attempt',
      );
      if (ok && outcome.kind === 'response') return { status: 'succeeded', responseCode: outcome.status };
      if (outcome.kind === 'refused')
        throw ApplicationFailure.create({ type: WEBHOOK_FAILURES.refused, message: outcome.error, nonRetryable: true });
      const disabled = await tenant(ref.businessId, (tx) =>
        disableWebhookEndpointIfFailingSince(tx, endpoint.id, new Date(at.getTime() - DISABLE_AFTER_FAILING_MS), at),
      );
      if (disabled)
        throw ApplicationFailure.create({
          type: WEBHOOK_FAILURES.disabled,
          message: 'the endpoint has failed for 3 days and is disabled',
          nonRetryable: true,
        });
      throw ApplicationFailure.create({ type: WEBHOOK_FAILURES.failed, message: error ?? 'failed' });
    },

    /** Retries ran out (or were refused): the delivery is failed, and the endpoint disabled if failing for 3 days. */
    /** `disabledNow`: this give-up turned the endpoint off (its owner is told once, by this delivery's workflow). */
    async giveUpWebhookDelivery(
      ref: DeliveryRef & { reason: string },
    ): Promise<{ endpointDisabled: boolean; disabledNow: boolean }> {
      const at = now();
      return tenant(ref.businessId, async (tx) => {
        await markWebhookDeliveryFailed(tx, ref.deliveryId, ref.reason.slice(0, 500));
        const endpoint = await tx.webhookEndpoint.findFirst({ where: { id: ref.endpointId } });
        if (endpoint?.disabledAt) return { endpointDisabled: true, disabledNow: false };
        const disabledNow = await disableWebhookEndpointIfFailingSince(
          tx,
          ref.endpointId,
          new Date(at.getTime() - DISABLE_AFTER_FAILING_MS),
          at,
        );
        return { endpointDisabled: disabledNow, disabledNow };
      });
    },
  };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
