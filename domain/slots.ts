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

/** A bookable person as slot finding sees them: their hours and everything that keeps them busy. */
export interface TechnicianAvailability {
  id: string;
  hours: WeeklyHours;
  /** Their appointments and their calendar's busy times: widened by the buffer. */
  busy: TimeRange[];
  /** Time off: blocks exactly its period. */
  timeOff: TimeRange[];
}

export interface TechnicianSlot extends TimeRange {
  /** Everyone qualified and free for the whole slot. */
  technicianIds: string[];
}

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

/** Whether the person works the whole of [s, e) by their weekly hours (in the business's zone) and is otherwise free. */
export function isTechnicianFree(
  t: TechnicianAvailability,
  s: number,
  e: number,
  opts: { timeZone: string; bufferMinutes: number },
): boolean {
  const start = DateTime.fromMillis(s, { zone: opts.timeZone });
  const end = DateTime.fromMillis(e, { zone: opts.timeZone });
  if (start.toISODate() !== end.minus({ milliseconds: 1 }).toISODate()) return false;
  const from = start.hour * 60 + start.minute;
  const to = from + (e - s) / 60_000;
  const ranges = t.hours[WEEKDAY_KEYS[start.weekday - 1]!] ?? [];
  if (!ranges.some((r) => minutesOf(r.start) <= from && to <= minutesOf(r.end))) return false;
  const buffer = opts.bufferMinutes * 60_000;
  if (t.busy.some((b) => s < b.end.getTime() + buffer && e > b.start.getTime() - buffer)) return false;
  return !t.timeOff.some((o) => s < o.end.getTime() && e > o.start.getTime());
}

/**
 * The business's slots when it has technicians: a start is offered when at least one
 * qualified person works then and is free, once however many are. Starts fall on the half
 * hour of each person's hours; at most one slot per half-day, as with the business hours.
 */
export function findTechnicianSlots(opts: {
  technicians: TechnicianAvailability[];
  holidays: string[];
  timeZone: string;
  durationMinutes: number;
  bufferMinutes: number;
  from: Date;
  days: number;
  count: number;
}): TechnicianSlot[] {
  const slots: TechnicianSlot[] = [];
  const holidays = new Set(opts.holidays);
  const length = opts.durationMinutes * 60_000;
  let day = DateTime.fromJSDate(opts.from, { zone: opts.timeZone }).startOf('day');
  for (let i = 0; i < opts.days && slots.length < opts.count; i += 1, day = day.plus({ days: 1 })) {
    if (holidays.has(day.toISODate()!)) continue;
    const starts = new Set<number>();
    for (const t of opts.technicians)
      for (const range of t.hours[WEEKDAY_KEYS[day.weekday - 1]!] ?? []) {
        const at = (hhmm: string) => day.set({ hour: Math.floor(minutesOf(hhmm) / 60), minute: minutesOf(hhmm) % 60 });
        const close = at(range.end).toMillis();
        for (let s = at(range.start).toMillis(); s + length <= close; s += 30 * 60_000) starts.add(s);
      }
    const takenHalves = new Set<string>();
    for (const s of [...starts].sort((a, b) => a - b)) {
      if (slots.length >= opts.count) break;
      const half = DateTime.fromMillis(s, { zone: opts.timeZone }).hour < 12 ? 'am' : 'pm';
      if (s < opts.from.getTime() || takenHalves.has(half)) continue;
      const free = opts.technicians.filter((t) => isTechnicianFree(t, s, s + length, opts)).map((t) => t.id);
      if (free.length === 0) continue;
      takenHalves.add(half);
      slots.push({ start: new Date(s), end: new Date(s + length), technicianIds: free });
    }
  }
  return slots;
}

/**
 * Who gets the booking among the free, qualified people: the fewest appointments that week,
 * then whoever was assigned longest ago (never assigned first), then the order given, so work
 * goes round the team.
 */
export function pickTechnician<T extends { id: string; weekAppointments: number; lastAssignedAt: Date | null }>(
  candidates: T[],
): T | null {
  const sorted = [...candidates].sort(
    (a, b) =>
      a.weekAppointments - b.weekAppointments ||
      (a.lastAssignedAt?.getTime() ?? -Infinity) - (b.lastAssignedAt?.getTime() ?? -Infinity) ||
      0,
  );
  return sorted[0] ?? null;
}
