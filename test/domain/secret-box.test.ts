import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox, keyIdOf, parseMasterKey, SecretBoxError } from '../../domain/crypto/secret-box';

describe('secret box (AES-256-GCM with key ids)', () => {
  const keyA = randomBytes(32);
  const keyB = randomBytes(32);

  it('round-trips and never stores the plaintext', () => {
    const box = createSecretBox({ current: keyA });
    const sealed = box.seal('1//refresh-token-value', 'calendar:biz-1');
    expect(sealed.keyId).toBe(keyIdOf(keyA));
    expect(Buffer.from(sealed.ciphertext, 'base64').toString('latin1')).not.toContain('refresh-token-value');
    expect(box.open(sealed, 'calendar:biz-1').toString()).toBe('1//refresh-token-value');
  });

  it('uses a fresh IV each time', () => {
    const box = createSecretBox({ current: keyA });
    expect(box.seal('same', 'c').ciphertext).not.toBe(box.seal('same', 'c').ciphertext);
  });

  it('fails loudly on a wrong key, a wrong context or a tampered value', () => {
    const sealed = createSecretBox({ current: keyA }).seal('secret', 'calendar:biz-1');
    const otherBoxSameId = { ...sealed };
    const wrongKey = createSecretBox({ current: keyB });
    expect(() => wrongKey.open(sealed, 'calendar:biz-1')).toThrow(SecretBoxError);
    expect(() => wrongKey.open({ ...otherBoxSameId, keyId: wrongKey.currentKeyId }, 'calendar:biz-1')).toThrow(
      /does not open/,
    );
    const box = createSecretBox({ current: keyA });
    expect(() => box.open(sealed, 'calendar:biz-2')).toThrow(/does not open/);
    const raw = Buffer.from(sealed.ciphertext, 'base64');
    raw[14] = raw[14]! ^ 0xff;
    expect(() => box.open({ keyId: sealed.keyId, ciphertext: raw.toString('base64') }, 'calendar:biz-1')).toThrow(
      /does not open/,
    );
  });

  it('rotates: new values use the new key, old values still open', () => {
    const old = createSecretBox({ current: keyA }).seal('old', 'ctx');
    const rotated = createSecretBox({ current: keyB, previous: [keyA] });
    expect(rotated.open(old, 'ctx').toString()).toBe('old');
    expect(rotated.seal('new', 'ctx').keyId).toBe(keyIdOf(keyB));
    expect(() => createSecretBox({ current: keyB }).open(old, 'ctx')).toThrow(/no encryption key with id/);
  });

  it('parses master keys as hex or base64 and rejects other lengths', () => {
    expect(parseMasterKey(keyA.toString('hex'))).toEqual(keyA);
    expect(parseMasterKey(keyA.toString('base64'))).toEqual(keyA);
    expect(() => parseMasterKey('abcd')).toThrow(SecretBoxError);
  });
});
