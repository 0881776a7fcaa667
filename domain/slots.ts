import { DateTime } from 'luxon';

export interface TimeRange {
  start: Date;
  end: Date;
}

export type WeeklyHours = Partial<
  Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', Array<{ start: string; end: string }>>
>;

const WEEKDAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/**
 * Bookable starts inside business hours (in the business's zone), skipping holidays and
 * anything that overlaps a busy range widened by the buffer. Starts fall on the half
 * hour; at most one slot per half-day so three offers give real choice.
 */
export function findFreeSlots(opts: {
  hours: WeeklyHours;
  holidays: string[];
  timeZone: string;
  durationMinutes: number;
  bufferMinutes: number;
  busy: TimeRange[];
  from: Date;
  days: number;
  count: number;
}): TimeRange[] {
  const slots: TimeRange[] = [];
  const holidays = new Set(opts.holidays);
  const buffer = opts.bufferMinutes * 60_000;
  const overlaps = (s: number, e: number) =>
    opts.busy.some((b) => s < b.end.getTime() + buffer && e > b.start.getTime() - buffer);
  let day = DateTime.fromJSDate(opts.from, { zone: opts.timeZone }).startOf('day');
  for (let i = 0; i < opts.days && slots.length < opts.count; i += 1, day = day.plus({ days: 1 })) {
    if (holidays.has(day.toISODate()!)) continue;
    const ranges = opts.hours[WEEKDAY_KEYS[day.weekday - 1]!] ?? [];
    const takenHalves = new Set<string>();
    for (const range of ranges) {
      const [sh, sm] = range.start.split(':').map(Number) as [number, number];
      const [eh, em] = range.end.split(':').map(Number) as [number, number];
      let start = day.set({ hour: sh, minute: sm });
      const close = day.set({ hour: eh, minute: em });
      for (
        ;
        start.plus({ minutes: opts.durationMinutes }) <= close && slots.length < opts.count;
        start = start.plus({ minutes: 30 })
      ) {
        const s = start.toMillis();
        const e = s + opts.durationMinutes * 60_000;
        const half = start.hour < 12 ? 'am' : 'pm';
        if (s < opts.from.getTime() || takenHalves.has(half) || overlaps(s, e)) continue;
        takenHalves.add(half);
        slots.push({ start: new Date(s), end: new Date(e) });
      }
    }
  }
  return slots;
}
