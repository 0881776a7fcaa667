import { randomBytes } from 'node:crypto';
import type { Keyring } from '../../domain/crypto/keyring';
import type { SealedSecret, SecretBox } from '../../domain/crypto/secret-box';
import { DAY_MS } from '../../domain/time';

/** After a rotation the old secret keeps signing this long, so receivers can switch over. */
export const ROTATION_OVERLAP_MS = DAY_MS;

const PURPOSE = 'webhook-signing-secret';

export const webhookSecretBox = (keyring: Keyring): SecretBox => keyring.boxFor(PURPOSE);

/** Bound to the endpoint: a ciphertext copied onto another endpoint does not open. */
const context = (endpointId: string) => `webhook-endpoint:${endpointId}`;

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export function sealWebhookSecret(box: SecretBox, endpointId: string, secret: string): SealedSecret {
  return box.seal(secret, context(endpointId));
}

export function openWebhookSecret(box: SecretBox, endpointId: string, sealed: SealedSecret): string {
  return box.open(sealed, context(endpointId)).toString('utf8');
}
