import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for secrets at rest (calendar refresh tokens, provider credentials, per-lead
 * data keys). Each sealed value names the key that sealed it, so keys can rotate: new
 * values use the current key, old ones open with whichever key they name.
 */
export interface SealedSecret {
  keyId: string;
  /** base64 of iv (12 bytes) ‖ ciphertext ‖ tag (16 bytes) */
  ciphertext: string;
}

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

export interface SecretBox {
  readonly currentKeyId: string;
  seal(plaintext: Buffer | string, context: string): SealedSecret;
  open(sealed: SealedSecret, context: string): Buffer;
}

/** A key id is a short fingerprint of the key itself: stable, and reveals nothing usable. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('leadflow-key-id\0').update(key).digest('hex').slice(0, 16);
}

export function parseMasterKey(text: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new SecretBoxError('an encryption key must be 32 bytes');
  return key;
}

/**
 * `context` is bound as additional authenticated data (e.g. `calendar:<businessId>`), so a
 * ciphertext copied onto another row does not open there.
 */
export function createSecretBox({ current, previous = [] }: { current: Buffer; previous?: Buffer[] }): SecretBox {
  const keys = new Map<string, Buffer>();
  for (const key of [current, ...previous]) {
    if (key.length !== 32) throw new SecretBoxError('an encryption key must be 32 bytes');
    keys.set(keyIdOf(key), key);
  }
  const currentKeyId = keyIdOf(current);
  return {
    currentKeyId,
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return { keyId: currentKeyId, ciphertext: Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64') };
    },
    open(sealed, context) {
      const key = keys.get(sealed.keyId);
      if (!key) throw new SecretBoxError(`no encryption key with id ${sealed.keyId} is configured`);
      const raw = Buffer.from(sealed.ciphertext, 'base64');
      if (raw.length < 12 + 16) throw new SecretBoxError('sealed value is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      try {
        return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
      } catch {
        throw new SecretBoxError('sealed value does not open: wrong key, wrong context, or tampered');
      }
    },
  };
}
