import { withTenant } from '../../db/tenant';
import { findWebhookEndpoint } from '../../db/webhooks';
import { notFound } from '../app-error';
import { recordAudit, type Actor } from '../audit-log';
import { webhookEndpointView } from './webhook-endpoint-view';
import { newWebhookSecret, ROTATION_OVERLAP_MS, sealWebhookSecret, webhookSecretBox } from './webhook-secrets';
import { keyringOrUnavailable, type WebhookServiceDeps } from './webhook-service-deps';

/**
 * A new signing secret, shown once. The old one keeps signing beside it for 24 hours
 * (both signatures in `webhook-signature`), so the receiver can switch without dropping
 * deliveries.
 */
export async function rotateWebhookSecret(
  deps: Pick<WebhookServiceDeps, 'db' | 'keyring' | 'now'>,
  opts: { actor: Actor; endpointId: string },
) {
  const box = webhookSecretBox(keyringOrUnavailable(deps));
  const at = (deps.now ?? (() => new Date()))();
  const secret = newWebhookSecret();
  const sealed = sealWebhookSecret(box, opts.endpointId, secret);
  const row = await withTenant(deps.db, opts.actor.businessId, async (tx) => {
    const current = await findWebhookEndpoint(tx, opts.endpointId);
    if (!current) throw notFound('webhook endpoint');
    const updated = await tx.webhookEndpoint.update({
      where: { id: current.id },
      data: {
        secretKeyId: sealed.keyId,
        secretCiphertext: sealed.ciphertext,
        previousSecretKeyId: current.secretKeyId,
        previousSecretCiphertext: current.secretCiphertext,
        previousSecretExpiresAt: new Date(at.getTime() + ROTATION_OVERLAP_MS),
      },
    });
    await recordAudit(tx, opts.actor, { action: 'update', entity: 'webhook_endpoint', entityId: current.id });
    return updated;
  });
  return { ...webhookEndpointView(row), secret };
}
