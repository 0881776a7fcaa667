/**
 * Automated texts go out only between 08:00 and 21:00 in the lead's local time (TCPA
 * practice; PRODUCT.md, "Quiet hours"). Pure and deterministic: workflows call it with
 * workflow time.
 *
 * No date library here: the lead workflow plans with it on every activation, and in the
 * workflow sandbox each workflow would load its own copy of one and build its own
 * `Intl.DateTimeFormat`s. The arithmetic is luxon's own (`fromJSDate(at, { zone })`, then
 * `plus({ days: 1 })` and `set({ hour: 8, … })`, offsets found the way its IANA zone finds
 * them), so the instants are the same as luxon's, DST gaps and overlaps included
 * (test/domain/quiet-hours.test.ts compares them). The worker preloads this module into
 * its sandbox (worker/workflow-paths.ts): the one formatter per zone is shared by every
 * workflow. It holds no workflow state, only those formatters.
 */
export const QUIET_HOURS = { startHour: 8, endHour: 21 } as const;

/** Minutes east of UTC at an instant. */
type Offset = (ts: number) => number;

const MINUTE_MS = 60_000;
const zones = new Map<string, Offset>();

/** The earliest instant at or after `at` that is inside the sending window in `timeZone`. */
export function nextSendTime(at: Date, timeZone: string): Date {
  const ts = at.getTime();
  if (Number.isNaN(ts)) return new Date(NaN);
  const offset = zoneOf(timeZone);
  const o = offset(ts);
  const local = fields(ts, o);
  if (local.hour >= QUIET_HOURS.startHour && local.hour < QUIET_HOURS.endHour) return at;
  let day = local;
  let dayOffset = o;
  if (local.hour >= QUIET_HOURS.startHour) {
    // The next calendar day at the same wall-clock time, then 08:00 on it (luxon's plus, then set).
    const [nextTs, nextOffset] = fixOffset(localTs({ ...local, day: local.day + 1 }), o, offset);
    day = fields(nextTs, nextOffset);
    dayOffset = nextOffset;
  }
  const [opens] = fixOffset(
    localTs({ ...day, hour: QUIET_HOURS.startHour, minute: 0, second: 0, millisecond: 0 }),
    dayOffset,
    offset,
  );
  return new Date(opens);
}

/**
 * When a missed call is texted back. The caller started the contact, so the answer is not
 * marketing: at night it goes at once if the business allows it, else when the window opens.
 */
export function missedCallReplyTime(at: Date, timeZone: string, opts: { replyAtNight: boolean }): Date {
  return opts.replyAtNight ? at : nextSendTime(at, timeZone);
}

export function isInsideSendWindow(at: Date, timeZone: string): boolean {
  return nextSendTime(at, timeZone).getTime() === at.getTime();
}

/** A zone as luxon reads the name: `UTC`, `UTC±H[:MM]`, the system zone, or an IANA name; anything else is UTC. */
function zoneOf(name: string): Offset {
  let zone = zones.get(name);
  if (!zone) {
    zone = parseZone(name);
    zones.set(name, zone);
  }
  return zone;
}

function parseZone(name: string): Offset {
  const lowered = name.toLowerCase();
  if (lowered === 'default' || lowered === 'local' || lowered === 'system')
    return (ts) => -new Date(ts).getTimezoneOffset();
  if (lowered === 'utc' || lowered === 'gmt') return () => 0;
  const fixed = /^utc(?:([+-]\d{1,2})(?::(\d{2}))?)?$/i.exec(lowered);
  if (fixed) {
    const parsedHours = parseInt(fixed[1]!, 10);
    const hours = Number.isNaN(parsedHours) ? 0 : parsedHours;
    const minutes = parseInt(fixed[2]!, 10) || 0;
    const minutesEast = hours * 60 + (hours < 0 || Object.is(hours, -0) ? -minutes : minutes);
    return () => minutesEast;
  }
  let dtf: Intl.DateTimeFormat;
  try {
    dtf = new Intl.DateTimeFormat('en-US', {
      hour12: false,
      timeZone: name,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      era: 'short',
    });
  } catch {
    return () => 0;
  }
  return (ts) => ianaOffset(dtf, ts);
}

const PART_INDEX: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {
  year: 0,
  month: 1,
  day: 2,
  hour: 3,
  minute: 4,
  second: 5,
};

/** The zone's wall clock at `ts` read back as if it were UTC, minus `ts` to the second. */
function ianaOffset(dtf: Intl.DateTimeFormat, ts: number): number {
  const parts = [0, 0, 0, 0, 0, 0];
  let bc = false;
  for (const { type, value } of dtf.formatToParts(new Date(ts))) {
    if (type === 'era') bc = value === 'BC';
    const i = PART_INDEX[type];
    if (i !== undefined) parts[i] = parseInt(value, 10);
  }
  const [year, month, day, hour, minute, second] = parts as [number, number, number, number, number, number];
  const asUtc = localTs({
    year: bc ? -Math.abs(year) + 1 : year,
    month,
    day,
    // Some engines print midnight as 24 with hour12 off.
    hour: hour === 24 ? 0 : hour,
    minute,
    second,
    millisecond: 0,
  });
  const over = ts % 1000;
  return (asUtc - (ts - (over >= 0 ? over : 1000 + over))) / MINUTE_MS;
}

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

function fields(ts: number, offsetMinutes: number): Fields {
  const d = new Date(ts + offsetMinutes * MINUTE_MS);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
  };
}

/** Wall-clock fields as milliseconds since the epoch, as if the wall clock were UTC. */
function localTs(f: Fields): number {
  const ms = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second, f.millisecond);
  if (f.year >= 100 || f.year < 0) return ms;
  // Date.UTC reads years 0–99 as 1900–1999.
  const d = new Date(ms);
  d.setUTCFullYear(f.year, f.month - 1, f.day);
  return d.getTime();
}

/**
 * The instant of a wall-clock time, starting from the guess `o` (the offset before the
 * change), which decides between the two instants of a repeated hour; a wall-clock time
 * in a DST gap keeps its clock reading and takes the later offset.
 */
function fixOffset(wallTs: number, o: number, offset: Offset): [number, number] {
  let guess = wallTs - o * MINUTE_MS;
  const o2 = offset(guess);
  if (o === o2) return [guess, o];
  guess -= (o2 - o) * MINUTE_MS;
  const o3 = offset(guess);
  if (o2 === o3) return [guess, o2];
  return [wallTs - Math.min(o2, o3) * MINUTE_MS, Math.max(o2, o3)];
}
