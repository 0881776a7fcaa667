import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeyring, keyringFromConfig } from '../../domain/crypto/keyring';
import {
  codeMatches,
  derivePrivacyKeys,
  suppressionHmac,
  suppressionHmacs,
  verificationCodeHash,
} from '../../domain/crypto/privacy-keys';
import { keyIdOf } from '../../domain/crypto/secret-box';

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const hkdf = (master: Buffer, purpose: string) =>
  Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `leadflow:${purpose}`, 32));

describe('the keyring', () => {
  it('is built from ENCRYPTION_KEY and ENCRYPTION_KEYS_PREVIOUS (hex or base64), and is null without a key', () => {
    expect(keyringFromConfig({})).toBeNull();
    const ring = keyringFromConfig({
      ENCRYPTION_KEY: keyB.toString('base64'),
      ENCRYPTION_KEYS_PREVIOUS: [keyA.toString('hex')],
    })!;
    expect(ring.box.currentKeyId).toBe(keyIdOf(keyB));
    const sealedUnderA = createKeyring({ current: keyA }).box.seal('token', 'ctx');
    expect(ring.box.open(sealedUnderA, 'ctx').toString()).toBe('token');
    expect(ring.box.seal('token', 'ctx').keyId).toBe(keyIdOf(keyB));
  });

  it('hashes per purpose under the current key and matches what a previous key hashed', () => {
    const before = createKeyring({ current: keyA });
    const after = createKeyring({ current: keyB, previous: [keyA] });
    const stored = before.hmac('capture-dedupe', 'lead-1');
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(after.hmac('capture-dedupe', 'lead-1')).not.toBe(stored);
    expect(after.hmacs('capture-dedupe', 'lead-1')).toEqual([after.hmac('capture-dedupe', 'lead-1'), stored]);
    expect(after.hmacMatches('capture-dedupe', 'lead-1', stored)).toBe(true);
    expect(after.hmacMatches('capture-dedupe', 'lead-2', stored)).toBe(false);
    expect(after.hmacMatches('other-purpose', 'lead-1', stored)).toBe(false);
    expect(createKeyring({ current: keyB }).hmacMatches('capture-dedupe', 'lead-1', stored)).toBe(false);
  });

  it('derives exactly the keys the privacy engine used before it had a keyring (stored values keep matching)', () => {
    const keys = derivePrivacyKeys(keyA);
    expect(suppressionHmac(keys, 'biz-1', '+12125550100')).toBe(
      'hmac:' + createHmac('sha256', hkdf(keyA, 'suppression-hmac')).update('biz-1\n+12125550100').digest('hex'),
    );
    expect(verificationCodeHash(keys, 'req-1', '123456')).toBe(
      createHmac('sha256', hkdf(keyA, 'verification-code')).update('req-1\n123456').digest('hex'),
    );
    expect(keys.box.currentKeyId).toBe(keyIdOf(hkdf(keyA, 'privacy-seal')));
  });

  it('after a rotation: opt-out hashes, codes and sealed request fields made before still match and open', () => {
    const before = derivePrivacyKeys(keyA);
    const after = derivePrivacyKeys(keyB, [keyA]);
    const optOut = suppressionHmac(before, 'biz-1', '+12125550100');
    expect(suppressionHmacs(after, 'biz-1', '+12125550100')).toContain(optOut);
    expect(suppressionHmacs(after, 'biz-1', '+12125550100')[0]).toBe(suppressionHmac(after, 'biz-1', '+12125550100'));
    expect(suppressionHmacs(after, 'biz-2', '+12125550100')).not.toContain(optOut);
    expect(codeMatches(after, 'req-1', '123456', verificationCodeHash(before, 'req-1', '123456'))).toBe(true);
    expect(codeMatches(after, 'req-1', '654321', verificationCodeHash(before, 'req-1', '123456'))).toBe(false);
    const sealed = before.box.seal('+12125550100', 'privacy-contact:req-1');
    expect(after.box.open(sealed, 'privacy-contact:req-1').toString()).toBe('+12125550100');
    expect(after.box.seal('x', 'ctx').keyId).not.toBe(sealed.keyId);
  });
});
