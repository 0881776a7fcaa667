import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { createSecretBox, parseMasterKey, type SecretBox } from './secret-box';

/**
 * The master keys of this deployment (ENCRYPTION_KEY and ENCRYPTION_KEYS_PREVIOUS), read in
 * this one place, and everything derived from them. New values always use the current key;
 * values made under a previous key still open or match, so a rotation never strands data.
 *
 * Purposes get their own keys (HKDF), so one leaking says nothing about another or about
 * the master key. The master key itself seals only what has always been sealed with it
 * (per-lead data keys, business secrets).
 */
export interface Keyring {
  /** Seals under the current master key; opens what any configured key sealed. */
  readonly box: SecretBox;
  /** A box whose keys are derived for `purpose` from every master key. */
  boxFor(purpose: string): SecretBox;
  /** The current key derived for `purpose`, then the previous ones: for matching stored hashes. */
  keysFor(purpose: string): Buffer[];
  /** Keyed hash (HMAC-SHA-256, hex) of `value` under the current key derived for `purpose`. */
  hmac(purpose: string, value: string): string;
  /** The hash under every configured key, current first: a value stored before a rotation still matches. */
  hmacs(purpose: string, value: string): string[];
  /** Whether `stored` is the hash of `value` under any configured key (constant time per key). */
  hmacMatches(purpose: string, value: string, stored: string): boolean;
}

export function deriveKey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `leadflow:${purpose}`, 32));
}

const hmacHex = (key: Buffer, value: string) => createHmac('sha256', key).update(value).digest('hex');

export function createKeyring({ current, previous = [] }: { current: Buffer; previous?: Buffer[] }): Keyring {
  const masters = [current, ...previous];
  const derived = new Map<string, Buffer[]>();
  const keysFor = (purpose: string) => {
    let keys = derived.get(purpose);
    if (!keys) derived.set(purpose, (keys = masters.map((m) => deriveKey(m, purpose))));
    return keys;
  };
  return {
    box: createSecretBox({ current, previous }),
    boxFor(purpose) {
      const [now, ...before] = keysFor(purpose);
      return createSecretBox({ current: now!, previous: before });
    },
    keysFor,
    hmac: (purpose, value) => hmacHex(keysFor(purpose)[0]!, value),
    hmacs: (purpose, value) => keysFor(purpose).map((k) => hmacHex(k, value)),
    hmacMatches(purpose, value, stored) {
      const b = Buffer.from(stored, 'hex');
      let match = false;
      for (const key of keysFor(purpose)) {
        const a = Buffer.from(hmacHex(key, value), 'hex');
        if (a.length === b.length && timingSafeEqual(a, b)) match = true;
      }
      return match;
    },
  };
}

/** From the configuration: null without ENCRYPTION_KEY (production requires it). */
export function keyringFromConfig(config: {
  ENCRYPTION_KEY?: string;
  ENCRYPTION_KEYS_PREVIOUS?: string[];
}): Keyring | null {
  if (!config.ENCRYPTION_KEY) return null;
  return createKeyring({
    current: parseMasterKey(config.ENCRYPTION_KEY),
    previous: (config.ENCRYPTION_KEYS_PREVIOUS ?? []).map(parseMasterKey),
  });
}
