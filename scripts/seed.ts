import { generateApiKey } from '../api/auth/api-keys';
import type { Db } from '../db/prisma';

export const DEMO_BUSINESS_NAME = 'Rivera Plumbing & Heating (demo)';

/**
 * The development seed: one demo business. Its owner key exists only in the return
 * value of the call that creates it (keys are stored hashed), so `npm start` prints it
 * once; `npm run demo-key` mints another.
 */
export async function seedDemoBusiness(db: Db): Promise<{ businessId: string; ownerKey: string | null }> {
  const existing = await db.business.findFirst({ where: { name: DEMO_BUSINESS_NAME } });
  if (existing) return { businessId: existing.id, ownerKey: null };
  const business = await db.business.create({
    data: { name: DEMO_BUSINESS_NAME, timeZone: 'America/New_York', botName: 'Ava', smsNumber: '+12125550100' },
  });
  const ownerKey = await mintKey(db, business.id, 'owner');
  return { businessId: business.id, ownerKey };
}

export async function mintKey(db: Db, businessId: string, role: 'owner' | 'operator' | 'compliance' | 'widget'): Promise<string> {
  const key = generateApiKey(role);
  await db.apiKey.create({ data: { businessId, role, lookup: key.lookup, hash: key.hash } });
  return key.key;
}
