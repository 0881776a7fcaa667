import { describe, expect, it } from 'vitest';
import {
  findFreeSlots,
  findTechnicianSlots,
  pickTechnician,
  type TechnicianAvailability,
  type WeeklyHours,
} from '../../domain/slots';

const ZONE = 'America/New_York';
const WEEKDAYS: WeeklyHours = {
  mon: [{ start: '08:00', end: '17:00' }],
  tue: [{ start: '08:00', end: '17:00' }],
  wed: [{ start: '08:00', end: '17:00' }],
  thu: [{ start: '08:00', end: '17:00' }],
  fri: [{ start: '08:00', end: '17:00' }],
};
/** Monday 2030-01-07, 00:00 in New York (05:00Z). */
const MONDAY = new Date('2030-01-07T05:00:00Z');
const at = (iso: string) => new Date(iso);
const tech = (id: string, extra: Partial<TechnicianAvailability> = {}): TechnicianAvailability => ({
  id,
  hours: WEEKDAYS,
  busy: [],
  timeOff: [],
  ...extra,
});
const search = (technicians: TechnicianAvailability[], extra: { count?: number; days?: number } = {}) =>
  findTechnicianSlots({
    technicians,
    holidays: [],
    timeZone: ZONE,
    durationMinutes: 60,
    bufferMinutes: 30,
    from: MONDAY,
    days: extra.days ?? 1,
    count: extra.count ?? 3,
  });

describe('slots from several technicians', () => {
  it('offers a start once, naming everyone free then', () => {
    const slots = search([tech('ana'), tech('ben')]);
    expect(slots.map((s) => s.start.toISOString())).toEqual(['2030-01-07T13:00:00.000Z', '2030-01-07T17:00:00.000Z']);
    expect(slots[0]!.technicianIds).toEqual(['ana', 'ben']);
    expect(slots[0]!.end.toISOString()).toBe('2030-01-07T14:00:00.000Z');
  });

  it('gives the same slots as the business hours for one person working them', () => {
    const one = search([tech('ana')], { days: 7, count: 10 });
    const classic = findFreeSlots({
      hours: WEEKDAYS,
      holidays: [],
      timeZone: ZONE,
      durationMinutes: 60,
      bufferMinutes: 30,
      busy: [],
      from: MONDAY,
      days: 7,
      count: 10,
    });
    expect(one.map(({ start, end }) => ({ start, end }))).toEqual(classic);
  });

  it('follows each person’s own hours: an early starter opens the morning, a late one the evening', () => {
    const early = tech('early', { hours: { mon: [{ start: '06:00', end: '10:00' }] } });
    const late = tech('late', { hours: { mon: [{ start: '15:00', end: '20:00' }] } });
    const slots = search([late, early]);
    expect(slots.map((s) => [s.start.toISOString(), s.technicianIds])).toEqual([
      ['2030-01-07T11:00:00.000Z', ['early']],
      ['2030-01-07T20:00:00.000Z', ['late']],
    ]);
  });

  it('skips a person on time off and a person busy (with the buffer), keeping the others', () => {
    const away = tech('away', {
      timeOff: [{ start: at('2030-01-07T05:00:00Z'), end: at('2030-01-08T05:00:00Z') }],
    });
    // Booked 08:00–09:00 local: with a 30-minute buffer, 09:00 is not free for them, 09:30 is.
    const busy = tech('busy', { busy: [{ start: at('2030-01-07T13:00:00Z'), end: at('2030-01-07T14:00:00Z') }] });
    const slots = search([away, busy]);
    expect(slots[0]!.start.toISOString()).toBe('2030-01-07T14:30:00.000Z');
    expect(slots.every((s) => !s.technicianIds.includes('away'))).toBe(true);
    expect(slots[0]!.technicianIds).toEqual(['busy']);
  });

  it('offers nothing when nobody qualified is free, and a time off ending mid-day frees the afternoon', () => {
    const morningOff = tech('ana', {
      timeOff: [{ start: at('2030-01-07T05:00:00Z'), end: at('2030-01-07T17:00:00Z') }],
    });
    expect(search([morningOff]).map((s) => s.start.toISOString())).toEqual(['2030-01-07T17:00:00.000Z']);
    expect(search([])).toEqual([]);
  });
});

describe('assigning among the free', () => {
  const old = new Date('2030-01-01T00:00:00Z');
  const recent = new Date('2030-01-06T00:00:00Z');

  it('takes the least busy that week', () => {
    const picked = pickTechnician([
      { id: 'ana', weekAppointments: 3, lastAssignedAt: old },
      { id: 'ben', weekAppointments: 1, lastAssignedAt: recent },
      { id: 'cy', weekAppointments: 2, lastAssignedAt: null },
    ]);
    expect(picked!.id).toBe('ben');
  });

  it('breaks a tie by who was assigned longest ago, never-assigned first', () => {
    expect(
      pickTechnician([
        { id: 'ana', weekAppointments: 1, lastAssignedAt: recent },
        { id: 'ben', weekAppointments: 1, lastAssignedAt: old },
      ])!.id,
    ).toBe('ben');
    expect(
      pickTechnician([
        { id: 'ana', weekAppointments: 0, lastAssignedAt: old },
        { id: 'ben', weekAppointments: 0, lastAssignedAt: null },
      ])!.id,
    ).toBe('ben');
  });

  it('goes round the team when each booking records its assignment', () => {
    const team = ['ana', 'ben', 'cy'].map((id) => ({ id, weekAppointments: 0, lastAssignedAt: null as Date | null }));
    const order: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const picked = pickTechnician(team)!;
      order.push(picked.id);
      picked.weekAppointments += 1;
      picked.lastAssignedAt = new Date(Date.UTC(2030, 0, 7, 12, i));
    }
    expect(order).toEqual(['ana', 'ben', 'cy', 'ana', 'ben', 'cy']);
    expect(pickTechnician([])).toBeNull();
  });
});
