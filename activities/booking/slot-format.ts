import { DateTime } from 'luxon';

/** "Tue Nov 24 at 9:00 AM" in the given zone; a non-date string is returned as it is. */
export function formatSlot(isoOrLabel: string, timeZone: string): string {
  const when = DateTime.fromISO(isoOrLabel, { zone: 'utc' });
  if (!when.isValid) return isoOrLabel;
  return when.setZone(timeZone).toFormat("ccc LLL d 'at' h:mm a");
}
