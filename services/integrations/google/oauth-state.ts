import type { Keyring } from '../../../domain/crypto/keyring';

/** Seals the PKCE code verifier with a key of its own purpose, bound to its state. */
export const verifierBox = (keyring: Keyring) => keyring.boxFor('google-oauth-verifier');
export const verifierContext = (stateHash: string) => `google-oauth-state:${stateHash}`;

/** A consent has this long to come back (Google's consent page, then the callback). */
export const OAUTH_STATE_TTL_MS = 10 * 60_000;
