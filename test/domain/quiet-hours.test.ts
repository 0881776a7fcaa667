import { describe, expect, it } from 'vitest';
import { isInsideSendWindow, nextSendTime } from '../../domain/quiet-hours';
import { DateTime } from 'luxon';

describe('quiet hours (08:00–21:00 local)', () => {
  it('holds a 23:30 text until 08:00 the next morning, local time', () => {
    // 23:30 in New York on 10 March 2026 (EDT, UTC-4) is 03:30Z on 11 March.
    const at = new Date('2026-03-11T03:30:00Z');
    expect(nextSendTime(at, 'America/New_York').toISOString()).toBe('2026-03-11T12:00:00.000Z');
  });

  it('holds an early-morning text until 08:00 the same day', () => {
    const at = new Date('2026-07-01T13:10:00Z'); // 06:10 in Denver (MDT)
    expect(nextSendTime(at, 'America/Denver').toISOString()).toBe('2026-07-01T14:00:00.000Z');
  });

  it('sends at once inside the window, and 20:59 is inside, 21:00 is not', () => {
    expect(isInsideSendWindow(new Date('2026-07-01T16:00:00Z'), 'America/Chicago')).toBe(true); // 11:00
    expect(isInsideSendWindow(new Date('2026-07-02T01:59:00Z'), 'America/Chicago')).toBe(true); // 20:59
    expect(isInsideSendWindow(new Date('2026-07-02T02:00:00Z'), 'America/Chicago')).toBe(false); // 21:00
  });

  it('follows daylight saving: 08:00 local is a different UTC hour in winter and summer', () => {
    expect(nextSendTime(new Date('2026-01-15T05:00:00Z'), 'America/New_York').toISOString()).toBe(
      '2026-01-15T13:00:00.000Z',
    );
    expect(nextSendTime(new Date('2026-07-15T05:00:00Z'), 'America/New_York').toISOString()).toBe(
      '2026-07-15T12:00:00.000Z',
    );
  });

  it('falls back to UTC for an unknown zone instead of failing', () => {
    expect(nextSendTime(new Date('2026-07-15T05:00:00Z'), 'Mars/Olympus').toISOString()).toBe(
      '2026-07-15T08:00:00.000Z',
    );
  });
});

describe('quiet hours match luxon’s reading of the zone', () => {
  // What the module computed with luxon before (DateTime.fromJSDate → plus({ days: 1 }) → set({ hour: 8 })).
  function withLuxon(at: Date, timeZone: string): Date {
    const zone = DateTime.now().setZone(timeZone).isValid ? timeZone : 'UTC';
    const local = DateTime.fromJSDate(at, { zone });
    if (local.hour >= 8 && local.hour < 21) return at;
    const day = local.hour < 8 ? local : local.plus({ days: 1 });
    return day.set({ hour: 8, minute: 0, second: 0, millisecond: 0 }).toJSDate();
  }

  const zones = [
    'America/New_York',
    'America/Denver',
    'America/Phoenix',
    'America/St_Johns',
    'America/Havana', // DST changes at midnight
    'America/Santiago',
    'Europe/London',
    'Europe/Lisbon',
    'Australia/Lord_Howe', // half-hour DST
    'Asia/Kathmandu',
    'Pacific/Apia', // skipped a whole day in 2011
    'Pacific/Chatham',
    'Asia/Tehran',
    'Africa/Casablanca',
    'UTC',
    'utc',
    'GMT',
    'UTC+8:57',
    'UTC-3',
    'UTC-0:30',
    'utc+14',
    'Etc/GMT+5',
    'america/chicago',
    'system',
    'Mars/Olympus',
    '',
  ];

  it('gives the same instant every 37 minutes over DST weeks and ordinary days, in every kind of zone', () => {
    const starts = ['2011-12-28', '2026-03-06', '2026-03-26', '2026-04-01', '2026-10-23'].map((d) => `${d}T00:00:00Z`);
    let compared = 0;
    for (const zone of zones) {
      for (const start of starts) {
        for (let t = Date.parse(start); t < Date.parse(start) + 10 * 86_400_000; t += 37 * 60_000 + 1_234) {
          const at = new Date(t);
          expect(nextSendTime(at, zone).toISOString(), `${zone} at ${at.toISOString()}`).toBe(
            withLuxon(at, zone).toISOString(),
          );
          compared += 1;
        }
      }
    }
    expect(compared).toBeGreaterThan(40_000);
  }, 60_000);
});
