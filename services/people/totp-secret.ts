import type { SealedSecret, SecretBox } from '../../domain/crypto/secret-box';
import { AppError } from '../app-error';

/**
 * A person's TOTP secret is as good as their second factor: it is kept sealed (AES-GCM under
 * a key derived for `totp` from ENCRYPTION_KEY, bound to the person's id), never in plain text.
 */
export const TOTP_KEY_PURPOSE = 'totp';

const context = (userId: string) => `totp:${userId}`;

export function sealTotpSecret(box: SecretBox | null, userId: string, secret: string): string {
  if (!box)
    throw new AppError('conflict', 'two-factor sign-in needs ENCRYPTION_KEY on the server', [
      { field: 'ENCRYPTION_KEY', reason: 'is not configured' },
    ]);
  return JSON.stringify(box.seal(secret, context(userId)));
}

export function openTotpSecret(box: SecretBox | null, userId: string, stored: string): string {
  if (!box) throw new AppError('unavailable', 'two-factor sign-in cannot be checked right now; retry shortly', null, 5);
  return box.open(JSON.parse(stored) as SealedSecret, context(userId)).toString('utf8');
}
