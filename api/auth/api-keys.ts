import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyRole } from '../../domain/roles';

export { API_KEY_ROLES, type ApiKeyRole } from '../../domain/roles';

/**
 * `lf_live_<lookup>_<secret>`: the prefix makes a leaked key recognisable to secret
 * scanners; the lookup part finds the row without scanning; only a SHA-256 of the whole
 * key is stored (the key has 256 bits of entropy, so a slow hash adds nothing).
 */
const PUBLIC_PREFIX = { live: 'lf_live_', widget: 'lf_pub_' } as const;

export interface NewApiKey {
  key: string;
  lookup: string;
  hash: string;
}

export function generateApiKey(role: ApiKeyRole): NewApiKey {
  const lookup = randomBytes(9).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  const key = `${role === 'widget' ? PUBLIC_PREFIX.widget : PUBLIC_PREFIX.live}${lookup}_${secret}`;
  return { key, lookup, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Returns the lookup part, or null when the string cannot be one of our keys. */
export function parseApiKey(key: string): { lookup: string } | null {
  const match = /^lf_(?:live|pub)_([A-Za-z0-9_-]{12})_[A-Za-z0-9_-]{43}$/.exec(key);
  return match ? { lookup: match[1]! } : null;
}

export function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
