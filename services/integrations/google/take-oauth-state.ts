import type { Db } from '../../../db/prisma';

export interface TakenOAuthState {
  businessId: string;
  keyId: string;
  verifierCiphertext: string;
  redirectUri: string;
  expiresAt: Date;
}

/**
 * Takes a consent's state by its hash before the tenant is known (a SECURITY DEFINER function,
 * see the google_connect migration): the row is deleted as it is read, so a state works once.
 */
export async function takeOAuthState(db: Db, stateHash: string): Promise<TakenOAuthState | null> {
  const rows = await db.$queryRaw<
    Array<{ business_id: string; key_id: string; verifier_ciphertext: string; redirect_uri: string; expires_at: Date }>
  >`SELECT business_id, key_id, verifier_ciphertext, redirect_uri, expires_at FROM leadflow_take_google_oauth_state(${stateHash})`;
  const row = rows[0];
  return row
    ? {
        businessId: row.business_id,
        keyId: row.key_id,
        verifierCiphertext: row.verifier_ciphertext,
        redirectUri: row.redirect_uri,
        expiresAt: row.expires_at,
      }
    : null;
}
