import { describe, expect, it } from 'vitest';
import { isInsideSendWindow, nextSendTime } from '../../domain/quiet-hours';

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
