import { DateTime } from 'luxon';
import type { Language } from '../../domain/language';

/** "Tue Nov 24 at 9:00 AM", in Spanish "mar 24 nov, 9:00", in the given zone; a non-date string is returned as it is. */
export function formatSlot(isoOrLabel: string, timeZone: string, language: Language = 'en'): string {
  const when = DateTime.fromISO(isoOrLabel, { zone: 'utc' });
  if (!when.isValid) return isoOrLabel;
  if (language === 'es') return when.setZone(timeZone).setLocale('es').toFormat('ccc d LLL, H:mm');
  return when.setZone(timeZone).toFormat("ccc LLL d 'at' h:mm a");
}
