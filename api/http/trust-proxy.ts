import { isIP } from 'node:net';

/** Express's `trust proxy` setting: which hops in front of the API may name the client (X-Forwarded-For). */
export type TrustProxy = boolean | number | string[];

const NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

const isRange = (entry: string): boolean => {
  if (NAMES.has(entry) || isIP(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  if (rest.length > 0 || !address || prefix === undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  // A prefix length, or (IPv4) a netmask as Express accepts it.
  if (/^\d{1,3}$/.test(prefix)) return Number(prefix) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(prefix) === 4;
};

export const TRUST_PROXY_HELP =
  'must be a hop count, true, false, or a comma-separated list of loopback, linklocal, uniquelocal, addresses and CIDR ranges';

/**
 * TRUST_PROXY as Express takes it: a number of hops, `true`/`false`, or a list of trusted
 * proxy addresses, ranges (CIDR) and names. Anything else is refused here, at start, rather
 * than trusting the wrong hop silently. Returns null when the value is not one of these.
 */
export function parseTrustProxy(raw: string): TrustProxy | null {
  const value = raw.trim();
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d{1,3}$/.test(value)) return Number(value);
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  return entries.length > 0 && entries.every(isRange) ? entries : null;
}
