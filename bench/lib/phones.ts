import { isInsideSendWindow } from '../../domain/quiet-hours';

/** Area codes in zones around the world: a benchmark always has leads inside their 08:00–21:00. */
const ZONES: Array<{ zone: string; prefix: string; digits: number }> = [
  { zone: 'America/New_York', prefix: '+1212', digits: 7 },
  { zone: 'America/Los_Angeles', prefix: '+1415', digits: 7 },
  { zone: 'Pacific/Honolulu', prefix: '+1808', digits: 7 },
  { zone: 'Europe/London', prefix: '+44207', digits: 7 },
  { zone: 'Asia/Tokyo', prefix: '+813', digits: 8 },
];

/** `count` distinct valid numbers whose local time is inside the sending window now. */
export function daytimeNumbers(count: number, offset = 0, now = new Date()): string[] {
  const zone = ZONES.find((z) => isInsideSendWindow(now, z.zone));
  if (!zone) throw new Error('no benchmark zone is inside its sending window');
  return Array.from(
    { length: count },
    (_, i) => `${zone.prefix}${String(2_000_000 + offset + i).padStart(zone.digits, '2')}`,
  );
}
