import { CodeChallengeMethod } from 'google-auth-library';
import { withTenant } from '../../../db/tenant';
import { recordAudit, type Actor } from '../../audit-log';
import { newLinkToken } from '../../people/tokens';
import type { GoogleServiceDeps } from './google-service-deps';
import { requireGoogle } from './google-service-deps';
import { GOOGLE_CALENDAR_SCOPE, googleOAuthClient } from './google-settings';
import { OAUTH_STATE_TTL_MS, verifierBox, verifierContext } from './oauth-state';

/**
 * Google's consent URL for the actor's business: offline access (a refresh token), the
 * consent screen every time (Google hands out a refresh token only then), PKCE S256, and a
 * random single-use state that the callback trades back for the business and the verifier.
 */
export async function startGoogleConnect(
  deps: GoogleServiceDeps,
  input: { actor: Actor; redirectUri: string },
): Promise<{ url: string; expiresAt: Date }> {
  const { google, keyring } = requireGoogle(deps);
  const client = googleOAuthClient(google, input.redirectUri);
  const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
  const { token: state, hash: stateHash } = newLinkToken();
  const sealed = verifierBox(keyring).seal(codeVerifier, verifierContext(stateHash));
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + OAUTH_STATE_TTL_MS);
  await withTenant(deps.db, input.actor.businessId, async (tx) => {
    // Abandoned consents of this business go as new ones start.
    await tx.googleOauthState.deleteMany({ where: { expiresAt: { lte: now } } });
    const row = await tx.googleOauthState.create({
      data: {
        businessId: input.actor.businessId,
        stateHash,
        keyId: sealed.keyId,
        verifierCiphertext: sealed.ciphertext,
        redirectUri: input.redirectUri,
        expiresAt,
      },
      select: { id: true },
    });
    await recordAudit(tx, input.actor, { action: 'create', entity: 'google_connection', entityId: row.id });
  });
  const url = client.generateAuthUrl({
    access_type: 'offline',
    prompt: 'consent',
    scope: [GOOGLE_CALENDAR_SCOPE],
    state,
    code_challenge_method: CodeChallengeMethod.S256,
    code_challenge: codeChallenge,
  });
  return { url, expiresAt };
}
