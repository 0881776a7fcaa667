import type { BusinessFacts } from '../../domain/business-facts';

/** What the facts are made of: a business row with its services (Prisma's or the send path's SQL). */
export interface FactsSource {
  name: string;
  botName: string;
  businessHours: unknown;
  facts: string;
  services: Array<{
    name: string;
    durationMinutes: number;
    priceCents: number | null;
    priceNote: string | null;
    active: boolean;
  }>;
}

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const DAY_LABEL: Record<(typeof DAYS)[number], string> = {
  mon: 'Mon',
  tue: 'Tue',
  wed: 'Wed',
  thu: 'Thu',
  fri: 'Fri',
  sat: 'Sat',
  sun: 'Sun',
};

export type WeeklyHours = Partial<Record<(typeof DAYS)[number], Array<{ start: string; end: string }>>>;

/** Mon–Fri 08:00–17:00 when a business has not set its hours yet. */
export const DEFAULT_HOURS: WeeklyHours = Object.fromEntries(
  DAYS.slice(0, 5).map((d) => [d, [{ start: '08:00', end: '17:00' }]]),
) as WeeklyHours;

export function weeklyHours(json: unknown): WeeklyHours {
  const value = (json ?? {}) as WeeklyHours;
  return Object.keys(value).length > 0 ? value : DEFAULT_HOURS;
}

export function describeHours(hours: WeeklyHours): string {
  return DAYS.filter((d) => hours[d]?.length)
    .map((d) => `${DAY_LABEL[d]} ${hours[d]!.map((r) => `${r.start}–${r.end}`).join(', ')}`)
    .join('; ');
}

export function formatPrice(cents: number | null, note: string | null): string | null {
  if (cents === null) return note;
  const amount = cents % 100 === 0 ? `$${cents / 100}` : `$${(cents / 100).toFixed(2)}`;
  return note ? `${amount} (${note})` : amount;
}

/** The public facts a reply may use: nothing about any lead. */
export function businessFacts(business: FactsSource): BusinessFacts {
  return {
    businessName: business.name,
    botName: business.botName,
    hours: describeHours(weeklyHours(business.businessHours)),
    services: business.services
      .filter((s) => s.active)
      .map((s) => ({
        name: s.name,
        durationMinutes: s.durationMinutes,
        price: formatPrice(s.priceCents, s.priceNote),
      })),
    notes: business.facts || undefined,
  };
}

/** How long a business's services stay in a send process's memory, at most (they are checked on every use). */
const SERVICES_TTL_MS = 10 * 60_000;
const SERVICES_CACHED_BUSINESSES = 1000;

/**
 * A business's services as the send path last read them, by the version of the business's
 * row (its `xmin`): any change to a business's services touches that row in the same
 * transaction (the `services_touch_business` trigger), so a send that reads the row reads
 * the services again exactly when they changed. Saves the services read on every send
 * (one row per service) while settings still take effect at once. Public facts only.
 */
export function createServicesCache(now: () => number = Date.now) {
  type Entry = { version: string; services: FactsSource['services']; expires: number };
  const entries = new Map<string, Entry>();
  return {
    /** What this process holds for the business: pass its version to the read, which skips the services if it matches. */
    get(businessId: string): Entry | null {
      const hit = entries.get(businessId);
      if (hit && hit.expires > now()) return hit;
      entries.delete(businessId);
      return null;
    },
    /** Services read with this version of the business's row. */
    put(businessId: string, version: string, services: FactsSource['services']) {
      entries.delete(businessId);
      if (entries.size >= SERVICES_CACHED_BUSINESSES) entries.delete(entries.keys().next().value!);
      entries.set(businessId, { version, services, expires: now() + SERVICES_TTL_MS });
    },
  };
}
