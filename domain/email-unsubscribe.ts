import type { Keyring } from './crypto/keyring';
import { isUuid } from './ids';

/*
 * One-click unsubscribe (RFC 8058) from a business's follow-up emails. The token names the
 * business and the lead and is signed with the keyring, so it needs no API key and cannot be
 * forged for another lead; the address itself is never in the URL.
 */

const TOKEN_PURPOSE = 'email-unsubscribe';
const ADDRESS_PURPOSE = 'email-suppression';

export function unsubscribeToken(keyring: Keyring, businessId: string, leadId: string): string {
  return `${businessId}.${leadId}.${keyring.hmac(TOKEN_PURPOSE, `${businessId}.${leadId}`)}`;
}

/** The business and lead a token names, or null when it is malformed or not ours (also under a previous key). */
export function readUnsubscribeToken(keyring: Keyring, token: string): { businessId: string; leadId: string } | null {
  const [businessId, leadId, mac, ...rest] = token.split('.');
  if (rest.length > 0 || !businessId || !leadId || !mac || !isUuid(businessId) || !isUuid(leadId)) return null;
  if (!/^[0-9a-f]{64}$/.test(mac)) return null;
  return keyring.hmacMatches(TOKEN_PURPOSE, `${businessId}.${leadId}`, mac) ? { businessId, leadId } : null;
}

/** The headers that give mail apps their unsubscribe button. */
export function unsubscribeHeaders(url: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

const addressValue = (businessId: string, address: string) => `${businessId}\n${address.trim().toLowerCase()}`;

/** The keyed hash an unsubscribed address is stored as (the current key). */
export function emailSuppressionHash(keyring: Keyring, businessId: string, address: string): string {
  return keyring.hmac(ADDRESS_PURPOSE, addressValue(businessId, address));
}

/** Every hash the address may be stored under (current and previous keys). */
export function emailSuppressionHashes(keyring: Keyring, businessId: string, address: string): string[] {
  return keyring.hmacs(ADDRESS_PURPOSE, addressValue(businessId, address));
}
