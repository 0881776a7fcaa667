import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigOrExit } from '../config/load-config';
import { createPrisma } from '../db/prisma';
import { DEMO_BUSINESS_NAME, mintKey } from './seed';
import { DATA_DIR } from './toolchain/paths';

/** Mints a new owner key for the demo business of the running (or last) `npm start`. */
const config = loadConfigOrExit();
const stackFile = join(DATA_DIR, 'stack.json');
const databaseUrl =
  config.DATABASE_URL ??
  (existsSync(stackFile)
    ? (JSON.parse(readFileSync(stackFile, 'utf8')) as { databaseUrl: string }).databaseUrl
    : undefined);
if (!databaseUrl) {
  console.error('no database: run `npm start` first (or set DATABASE_URL)');
  process.exit(78);
}
const db = createPrisma({ databaseUrl, max: 1 });
try {
  const business = await db.business.findFirst({ where: { name: DEMO_BUSINESS_NAME } });
  if (!business) throw new Error('no demo business yet: run `npm start` once');
  console.log(await mintKey(db, business.id, 'owner'));
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
} finally {
  await db.$disconnect();
}
