import { withTenant } from '../../../db/tenant';
import { AppError } from '../../app-error';
import { recordAudit, type Actor } from '../../audit-log';
import { getGoogleConnection, type GoogleConnectionView } from './google-connection';
import type { GoogleServiceDeps } from './google-service-deps';
import { listGoogleCalendars } from './list-google-calendars';

/**
 * Picks the calendar booking reads free/busy from and writes events to. One per business
 * today; when technicians get calendars of their own, the pick moves to each person (the
 * business's stays the default for people without one).
 */
export async function chooseGoogleCalendar(
  deps: GoogleServiceDeps,
  input: { actor: Actor; calendarId: string },
): Promise<GoogleConnectionView> {
  const calendars = await listGoogleCalendars(deps, { businessId: input.actor.businessId });
  const picked = calendars.find((c) => c.id === input.calendarId);
  if (!picked)
    throw new AppError('bad_request', 'calendarId: is not a calendar of the connected Google account', [
      { field: 'calendarId', reason: 'is not a calendar of the connected Google account' },
    ]);
  if (!picked.bookable)
    throw new AppError('bad_request', 'calendarId: is read-only for the connected account; booking adds events', [
      { field: 'calendarId', reason: 'is read-only for the connected account; booking adds events' },
    ]);
  await withTenant(deps.db, input.actor.businessId, async (tx) => {
    const row = await tx.businessSecret.findFirst({ where: { kind: 'google_calendar' } });
    // Disconnected while Google was answering: nothing to pick for.
    if (!row) throw new AppError('conflict', 'Google Calendar is not connected: connect it first');
    await tx.businessSecret.update({
      where: { id: row.id },
      data: { settings: { ...(row.settings as Record<string, string>), calendarId: picked.id } },
    });
    await recordAudit(tx, input.actor, { action: 'update', entity: 'google_connection', entityId: row.id });
  });
  return getGoogleConnection(deps, { businessId: input.actor.businessId });
}
