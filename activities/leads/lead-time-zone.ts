import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { timezones } from 'libphonenumber-geo-carrier';

/**
 * The lead's own time zone from the phone's area code (Google's libphonenumber data),
 * else the business's. An area code that spans zones is ambiguous: then the business's
 * zone wins if it is one of them, else the first.
 */
export async function leadTimeZone(phone: string, businessZone: string): Promise<string> {
  const parsed = parsePhoneNumberFromString(phone);
  if (!parsed) return businessZone;
  const zones: string[] = (await timezones(parsed).catch(() => null)) ?? [];
  const usable = zones.filter((z) => z && z !== 'Etc/Unknown');
  if (usable.length === 0) return businessZone;
  return usable.includes(businessZone) ? businessZone : usable[0]!;
}
