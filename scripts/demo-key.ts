import { loadConfigOrExit } from '../config/load-config';
import { createPrisma } from '../db/prisma';
import { DEMO_BUSINESS_NAME, mintKey } from './seed';

/** Mints a new owner key for the demo business; needs DATABASE_URL (printed by `npm start`). */
const config = loadConfigOrExit();
if (!config.DATABASE_URL) {
  console.error('DATABASE_URL is not set: use the URL of the database `npm start` runs');
  process.exit(78);
}
const db = createPrisma({ databaseUrl: config.DATABASE_URL, max: 1 });
const business = await db.business.findFirst({ where: { name: DEMO_BUSINESS_NAME } });
if (!business) {
  console.error('no demo business yet: run `npm start` once');
  process.exit(1);
}
console.log(await mintKey(db, business.id, 'owner'));
await db.$disconnect();
