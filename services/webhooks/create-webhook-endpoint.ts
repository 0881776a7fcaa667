import { randomUUID } from 'node:crypto';
import { withTenant } from '../../db/tenant';
import { AppError } from '../app-error';
import { recordAudit, type Actor } from '../audit-log';
import { assertDeliverableUrl, WebhookUrlError } from './address-guard';
import { webhookEndpointView } from './webhook-endpoint-view';
import type { WebhookEventType } from './webhook-events';
import { newWebhookSecret, sealWebhookSecret, webhookSecretBox } from './webhook-secrets';
import { keyringOrUnavailable, type WebhookServiceDeps } from './webhook-service-deps';

/** Checks the URL where it points now (400 naming `url`); the delivery checks again at connect time. */
export async function checkWebhookUrl(deps: Pick<WebhookServiceDeps, 'allowPrivate' | 'resolve'>, url: string) {
  try {
    return (await assertDeliverableUrl(url, { allowPrivate: deps.allowPrivate, resolve: deps.resolve })).toString();
  } catch (err) {
    if (!(err instanceof WebhookUrlError)) throw err;
    throw new AppError('bad_request', `url: ${err.message}`, [{ field: 'url', reason: err.message }]);
  }
}

/** A new endpoint and its signing secret, which is shown this once. */
export async function createWebhookEndpoint(
  deps: WebhookServiceDeps,
  opts: { actor: Actor; url: string; events: WebhookEventType[] },
) {
  const keyring = keyringOrUnavailable(deps);
  const url = await checkWebhookUrl(deps, opts.url);
  const id = randomUUID();
  const secret = newWebhookSecret();
  const sealed = sealWebhookSecret(webhookSecretBox(keyring), id, secret);
  const row = await withTenant(deps.db, opts.actor.businessId, async (tx) => {
    const created = await tx.webhookEndpoint.create({
      data: {
        id,
        businessId: opts.actor.businessId,
        url,
        events: [...new Set(opts.events)],
        secretKeyId: sealed.keyId,
        secretCiphertext: sealed.ciphertext,
      },
    });
    await recordAudit(tx, opts.actor, { action: 'create', entity: 'webhook_endpoint', entityId: id });
    return created;
  });
  return { ...webhookEndpointView(row), secret };
}
