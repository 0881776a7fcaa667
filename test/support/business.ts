import type { Db } from '../../db/prisma';

let counter = 0;

/** A realistic plumbing business: weekday hours, two priced services, a sender number. */
export async function createBusiness(
  db: Db,
  overrides: Parameters<Db['business']['create']>[0]['data'] extends infer D ? Partial<D> : never = {},
) {
  counter += 1;
  const business = await db.business.create({
    data: {
      name: `Rivera Plumbing ${counter}`,
      timeZone: 'America/New_York',
      botName: 'Ava',
      smsNumber: `+1212555${String(1000 + Math.floor(Math.random() * 8999)).padStart(4, '0')}`,
      contactPhone: '+12125550100',
      businessHours: {
        mon: [{ start: '08:00', end: '17:00' }],
        tue: [{ start: '08:00', end: '17:00' }],
        wed: [{ start: '08:00', end: '17:00' }],
        thu: [{ start: '08:00', end: '17:00' }],
        fri: [{ start: '08:00', end: '17:00' }],
        sat: [{ start: '09:00', end: '13:00' }],
      },
      followUpCadence: [60, 1440, 4320, 10080],
      aiEnabled: false,
      ...overrides,
    },
  });
  await db.service.createMany({
    data: [
      { businessId: business.id, name: 'Drain cleaning', durationMinutes: 60, priceCents: 14900 },
      {
        businessId: business.id,
        name: 'Water heater inspection',
        durationMinutes: 90,
        priceCents: null,
        priceNote: 'quoted on site',
      },
    ],
  });
  return business;
}
