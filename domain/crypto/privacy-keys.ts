import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { createSecretBox, type SecretBox } from './secret-box';

/**
 * Keys the privacy engine derives from the master key (ENCRYPTION_KEY): one to seal
 * request contacts and corrections, one to pseudonymise the numbers an erased person
 * opted out with, one to hash verification codes. Derived (HKDF), so each purpose has
 * its own key and one leaking says nothing about the others or the master key.
 */
export interface PrivacyKeys {
  box: SecretBox;
  suppressionKey: Buffer;
  codeKey: Buffer;
}

const derive = (master: Buffer, purpose: string) =>
  Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `leadflow:${purpose}`, 32));

export function derivePrivacyKeys(master: Buffer): PrivacyKeys {
  return {
    box: createSecretBox({ current: derive(master, 'privacy-seal') }),
    suppressionKey: derive(master, 'suppression-hmac'),
    codeKey: derive(master, 'verification-code'),
  };
}

export const HMAC_PREFIX = 'hmac:';

/**
 * What an erased person's opted-out number becomes in `suppressions.phone`: still
 * matchable when the same number is captured again (the send check computes it), never
 * readable. Keyed per business so two tenants' values for one number do not link.
 */
export function suppressionHmac(keys: Pick<PrivacyKeys, 'suppressionKey'>, businessId: string, phone: string): string {
  return HMAC_PREFIX + createHmac('sha256', keys.suppressionKey).update(`${businessId}\n${phone}`).digest('hex');
}

/** A six-digit code is guessable offline from a plain hash: the hash is keyed, and bound to its request. */
export function verificationCodeHash(keys: Pick<PrivacyKeys, 'codeKey'>, requestId: string, code: string): string {
  return createHmac('sha256', keys.codeKey).update(`${requestId}\n${code}`).digest('hex');
}

export function codeMatches(
  keys: Pick<PrivacyKeys, 'codeKey'>,
  requestId: string,
  code: string,
  storedHash: string,
): boolean {
  const a = Buffer.from(verificationCodeHash(keys, requestId, code), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Additional authenticated data for sealed request fields: a ciphertext copied to another request does not open. */
export const contactContext = (requestId: string) => `privacy-contact:${requestId}`;
export const correctionContext = (requestId: string) => `privacy-correction:${requestId}`;
