import { createKeyring, type Keyring } from './keyring';
import type { SecretBox } from './secret-box';

/**
 * What the privacy engine takes from the keyring: a box to seal request contacts and
 * corrections, and keyed hashes to pseudonymise the numbers an erased person opted out
 * with and to check verification codes. Each purpose has its own derived key; values
 * made before a key rotation still open and match.
 */
export interface PrivacyKeys {
  box: SecretBox;
  keyring: Keyring;
}

const PURPOSE = { seal: 'privacy-seal', suppression: 'suppression-hmac', code: 'verification-code' } as const;

export function privacyKeysOf(keyring: Keyring): PrivacyKeys {
  return { box: keyring.boxFor(PURPOSE.seal), keyring };
}

/** For tests and tools that hold raw master keys rather than the configuration. */
export function derivePrivacyKeys(master: Buffer, previous: Buffer[] = []): PrivacyKeys {
  return privacyKeysOf(createKeyring({ current: master, previous }));
}

export const HMAC_PREFIX = 'hmac:';

const suppressionValue = (businessId: string, phone: string) => `${businessId}\n${phone}`;

/**
 * What an erased person's opted-out number becomes in `suppressions.phone`: still
 * matchable when the same number is captured again (the send check computes it), never
 * readable. Keyed per business so two tenants' values for one number do not link.
 */
export function suppressionHmac(keys: Pick<PrivacyKeys, 'keyring'>, businessId: string, phone: string): string {
  return HMAC_PREFIX + keys.keyring.hmac(PURPOSE.suppression, suppressionValue(businessId, phone));
}

/** Every value the number may be stored as (one per configured key, current first): to look it up. */
export function suppressionHmacs(keys: Pick<PrivacyKeys, 'keyring'>, businessId: string, phone: string): string[] {
  return keys.keyring.hmacs(PURPOSE.suppression, suppressionValue(businessId, phone)).map((h) => HMAC_PREFIX + h);
}

/** A six-digit code is guessable offline from a plain hash: the hash is keyed, and bound to its request. */
export function verificationCodeHash(keys: Pick<PrivacyKeys, 'keyring'>, requestId: string, code: string): string {
  return keys.keyring.hmac(PURPOSE.code, `${requestId}\n${code}`);
}

export function codeMatches(
  keys: Pick<PrivacyKeys, 'keyring'>,
  requestId: string,
  code: string,
  storedHash: string,
): boolean {
  return keys.keyring.hmacMatches(PURPOSE.code, `${requestId}\n${code}`, storedHash);
}

/** Additional authenticated data for sealed request fields: a ciphertext copied to another request does not open. */
export const contactContext = (requestId: string) => `privacy-contact:${requestId}`;
export const correctionContext = (requestId: string) => `privacy-correction:${requestId}`;
