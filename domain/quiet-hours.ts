import { DateTime } from 'luxon';

/**
 * Automated texts go out only between 08:00 and 21:00 in the lead's local time (TCPA
 * practice; PRODUCT.md, "Quiet hours"). Pure and deterministic: workflows call it with
 * workflow time.
 */
export const QUIET_HOURS = { startHour: 8, endHour: 21 } as const;

/** The earliest instant at or after `at` that is inside the sending window in `timeZone`. */
export function nextSendTime(at: Date, timeZone: string): Date {
  const local = DateTime.fromJSDate(at, { zone: zoneOrUtc(timeZone) });
  if (local.hour >= QUIET_HOURS.startHour && local.hour < QUIET_HOURS.endHour) return at;
  const day = local.hour < QUIET_HOURS.startHour ? local : local.plus({ days: 1 });
  return day.set({ hour: QUIET_HOURS.startHour, minute: 0, second: 0, millisecond: 0 }).toJSDate();
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

function zoneOrUtc(timeZone: string): string {
  return DateTime.now().setZone(timeZone).isValid ? timeZone : 'UTC';
}
