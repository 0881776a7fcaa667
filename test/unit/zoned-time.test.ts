import { describe, expect, it } from 'vitest';
import { addDays, dayIn, mondayOf, timeIn, zonedInstant } from '../../app/src/components/time/zoned-time';
import { countdown } from '../../app/src/screens/compliance/countdown';

describe('the app’s days and times in the business’s zone', () => {
  it('turns a wall-clock time in the zone into the instant, on both sides of a clock change', () => {
    expect(zonedInstant('2026-03-07', '10:00', 'America/New_York').toISOString()).toBe('2026-03-07T15:00:00.000Z');
    expect(zonedInstant('2026-03-09', '10:00', 'America/New_York').toISOString()).toBe('2026-03-09T14:00:00.000Z');
    expect(zonedInstant('2026-11-01', '00:00', 'America/New_York').toISOString()).toBe('2026-11-01T04:00:00.000Z');
    expect(zonedInstant('2026-11-02', '00:00', 'America/New_York').toISOString()).toBe('2026-11-02T05:00:00.000Z');
    expect(zonedInstant('2026-06-01', '09:30', 'Asia/Kolkata').toISOString()).toBe('2026-06-01T04:00:00.000Z');
  });

  it('reads an instant back as the zone’s day and time', () => {
    const late = '2026-03-03T03:30:00Z'; // still the 2nd in New York
    expect(dayIn(late, 'America/New_York')).toBe('2026-03-02');
    expect(timeIn(late, 'America/New_York')).toBe('22:30');
    expect(dayIn(late, 'Europe/Berlin')).toBe('2026-03-03');
  });

  it('finds the Monday of a week and steps whole days across month and year ends', () => {
    expect(mondayOf('2026-03-08')).toBe('2026-03-02'); // a Sunday belongs to the week before
    expect(mondayOf('2026-03-02')).toBe('2026-03-02');
    expect(addDays('2026-12-28', 7)).toBe('2027-01-04');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});

describe('a data-subject request’s countdown', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  it('says the days and hours left, and how late once overdue', () => {
    expect(countdown('2026-03-31T12:00:00Z', now)).toEqual({ text: '30 days 0 hours left', overdue: false });
    expect(countdown('2026-03-02T17:30:00Z', now)).toEqual({ text: '1 day 5 hours left', overdue: false });
    expect(countdown('2026-03-01T15:00:00Z', now)).toEqual({ text: '3 hours left', overdue: false });
    expect(countdown('2026-02-27T11:00:00Z', now)).toEqual({ text: 'Overdue by 2 days 1 hour', overdue: true });
  });
});
