import { withTenant } from '../../../db/tenant';
import { AppError } from '../../app-error';
import { recordAudit, type Actor } from '../../audit-log';
import { googleStatusOf, oauthErrorOf } from './google-failure';
import type { GoogleServiceDeps } from './google-service-deps';
import { requireGoogle } from './google-service-deps';
import { googleOAuthClient } from './google-settings';
import { loadBusinessSecret } from '../../../db/business-secrets';

/**
 * Revokes the refresh token at Google (which ends the whole grant), then deletes it. A token
 * Google already considers invalid (revoked from the Google account, expired) is deleted too;
 * when Google cannot be reached the token stays, so the grant is never left open behind a
 * "disconnected" answer, and the owner retries. Nothing connected: nothing to do.
 */
export async function disconnectGoogle(deps: GoogleServiceDeps, input: { actor: Actor }): Promise<void> {
  const businessId = input.actor.businessId;
  const connected = await withTenant(deps.db, businessId, (tx) =>
    tx.businessSecret.count({ where: { kind: 'google_calendar' } }),
  );
  if (connected > 0) {
    const { google, keyring } = requireGoogle(deps);
    const stored = await loadBusinessSecret(deps.db, keyring.box, { businessId, kind: 'google_calendar' });
    try {
      if (stored) await googleOAuthClient(google).revokeToken(stored.secret);
    } catch (err) {
      const refusedAsInvalid = googleStatusOf(err) === 400 && oauthErrorOf(err) === 'invalid_token';
      if (!refusedAsInvalid)
        throw new AppError('unavailable', 'Google did not confirm the revocation; retry shortly', null, 30);
    }
  }
  await withTenant(deps.db, businessId, async (tx) => {
    const removed = await tx.businessSecret.deleteMany({ where: { kind: 'google_calendar' } });
    await tx.googleOauthState.deleteMany({});
    if (removed.count > 0) await recordAudit(tx, input.actor, { action: 'delete', entity: 'google_connection' });
  });
}
