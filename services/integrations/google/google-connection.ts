import { loadBusinessSecret } from '../../../db/business-secrets';
import { withTenant } from '../../../db/tenant';
import { AppError } from '../../app-error';
import type { GoogleServiceDeps } from './google-service-deps';
import { requireGoogle } from './google-service-deps';

export interface GoogleConnectionView {
  connected: boolean;
  /** The calendar booking uses: per business for now (per technician once technicians have their own). */
  calendarId: string | null;
  connectedAt: string | null;
}

/** Whether the business has connected Google Calendar, and which calendar booking uses; never the token. */
export async function getGoogleConnection(
  deps: Pick<GoogleServiceDeps, 'db'>,
  input: { businessId: string },
): Promise<GoogleConnectionView> {
  const row = await withTenant(deps.db, input.businessId, (tx) =>
    tx.businessSecret.findFirst({ where: { kind: 'google_calendar' }, select: { settings: true, createdAt: true } }),
  );
  if (!row) return { connected: false, calendarId: null, connectedAt: null };
  const settings = row.settings as Record<string, string>;
  return {
    connected: true,
    calendarId: settings.calendarId ?? 'primary',
    connectedAt: settings.connectedAt ?? row.createdAt.toISOString(),
  };
}

/** The connected account's refresh token; 409 when the business has not connected one. */
export async function requireGoogleConnection(deps: GoogleServiceDeps, businessId: string) {
  const { google, keyring } = requireGoogle(deps);
  const stored = await loadBusinessSecret(deps.db, keyring.box, { businessId, kind: 'google_calendar' });
  if (!stored)
    throw new AppError(
      'conflict',
      'Google Calendar is not connected: connect it first (POST /v1/integrations/google/connect)',
    );
  return { google, keyring, refreshToken: stored.secret, settings: stored.settings };
}
