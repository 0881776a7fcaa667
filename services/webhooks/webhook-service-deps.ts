import type { Db } from '../../db/prisma';
import type { Keyring } from '../../domain/crypto/keyring';
import { AppError } from '../app-error';
import type { AddressPolicy } from './address-guard';
import type { StartDeliveryDeps } from './start-webhook-delivery';

export interface WebhookServiceDeps extends StartDeliveryDeps {
  db: Db;
  /** From ENCRYPTION_KEY: signing secrets are sealed with it. */
  keyring: Keyring | null;
  /** WEBHOOK_ALLOW_PRIVATE=1 (development, tests). */
  allowPrivate: boolean;
  /** DNS for the creation check (tests give their own). */
  resolve?: AddressPolicy['resolve'];
  now?: () => Date;
}

export function keyringOrUnavailable(
  deps: Pick<WebhookServiceDeps, 'keyring'>,
): NonNullable<WebhookServiceDeps['keyring']> {
  if (!deps.keyring) throw new AppError('unavailable', 'webhooks need ENCRYPTION_KEY to seal their signing secrets');
  return deps.keyring;
}
