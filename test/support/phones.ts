import { leadTimeZone } from '../../activities/leads/lead-time-zone';
import { isInsideSendWindow } from '../../domain/quiet-hours';

/** Sample numbers around the globe, so some lead is always inside its 08:00–21:00 window. */
const CANDIDATES = ['+12125550142', '+14155550142', '+18085550142', '+442079460142', '+81335550142'];

/**
 * A phone number whose local time is inside the sending window right now, for tests on
 * the real-time stack (where quiet hours would otherwise hold the first reply until morning).
 * `suffix` varies the last digits so each test gets its own lead.
 */
export async function daytimePhone(suffix = 0, now = new Date()): Promise<string> {
  for (const base of CANDIDATES) {
    const zone = await leadTimeZone(base, 'UTC');
    if (isInsideSendWindow(now, zone))
      return `${base.slice(0, -2)}${String(42 + suffix)
        .padStart(2, '0')
        .slice(-2)}`;
  }
  throw new Error('no sample number is inside its sending window now');
}
