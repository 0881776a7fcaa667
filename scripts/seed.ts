import type { Client } from '@temporalio/client';
import { generateApiKey, type ApiKeyRole } from '../api/auth/api-keys';
import type { Db } from '../db/prisma';
import { ensureAccountWorkflow } from '../services/account-workflow';

export const DEMO_BUSINESS_NAME = 'Rivera Plumbing & Heating (demo)';

/**
 * The development seed: one demo business with realistic settings. Its owner key exists
 * only in the return value of the call that creates it (keys are stored hashed), so
 * `npm start` prints it once; `npm run demo-key` mints another. Runs as the owner role.
 * With a Temporal client, the business's account workflow is started too (idempotent:
 * a re-run attaches to the running one).
 */
export async function seedDemoBusiness(
  db: Db,
  opts: { widgetOrigins?: string[]; temporal?: { client: Client; taskQueue?: string } } = {},
): Promise<{ businessId: string; ownerKey: string | null }> {
  const ensureAccount = async (businessId: string) => {
    if (opts.temporal)
      await ensureAccountWorkflow({ temporal: opts.temporal.client, businessId, taskQueue: opts.temporal.taskQueue });
  };
  const existing = await db.business.findFirst({ where: { name: DEMO_BUSINESS_NAME } });
  if (existing) {
    if (opts.widgetOrigins)
      await db.business.update({ where: { id: existing.id }, data: { allowedOrigins: opts.widgetOrigins } });
    await ensureAccount(existing.id);
    return { businessId: existing.id, ownerKey: null };
  }
  const business = await db.business.create({
    data: {
      name: DEMO_BUSINESS_NAME,
      timeZone: 'America/New_York',
      botName: 'Ava',
      smsNumber: '+12125550100',
      contactPhone: '+12125550101',
      contactEmail: 'office@rivera-plumbing.example',
      businessHours: {
        mon: [{ start: '07:30', end: '18:00' }],
        tue: [{ start: '07:30', end: '18:00' }],
        wed: [{ start: '07:30', end: '18:00' }],
        thu: [{ start: '07:30', end: '18:00' }],
        fri: [{ start: '07:30', end: '17:00' }],
        sat: [{ start: '09:00', end: '13:00' }],
      },
      holidays: ['2026-12-25', '2027-01-01'],
      followUpCadence: [60, 1440, 4320, 10080],
      aiEnabled: true,
      facts:
        'Licensed and insured (NY master plumber #12345). Serving Manhattan, Brooklyn and Queens. Free estimates for water heater replacement.',
      allowedOrigins: opts.widgetOrigins ?? [],
      services: {
        create: [
          { name: 'Drain cleaning', durationMinutes: 60, priceCents: 14900 },
          { name: 'Water heater inspection', durationMinutes: 90, priceCents: null, priceNote: 'quoted on site' },
          { name: 'Leak repair', durationMinutes: 120, priceCents: 19900, priceNote: 'parts extra' },
        ],
      },
    },
  });
  const ownerKey = await mintKey(db, business.id, 'owner');
  await ensureAccount(business.id);
  return { businessId: business.id, ownerKey };
}

export async function mintKey(
  db: Db,
  businessId: string,
  role: ApiKeyRole,
  label = role === 'widget' ? 'widget demo page' : 'development',
): Promise<string> {
  const key = generateApiKey(role);
  await db.apiKey.create({ data: { businessId, role, label, lookup: key.lookup, hash: key.hash } });
  return key.key;
}
