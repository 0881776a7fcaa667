import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createPrisma, type Db } from '../../db/prisma';
import { ensureRuntimeLogin } from '../../db/roles';
import { migrateDeploy } from '../../scripts/db/migrate';
import { createDatabase, dropDatabase } from '../../scripts/toolchain/postgres';

export interface TestDatabase {
  /** Owner connection: seeds and inspects, bypassing row-level security. */
  url: string;
  db: Db;
  /** The runtime's own login (leadflow_app + leadflow_compliance), as the API and worker connect. */
  appUrl: string;
  appDb: Db;
  drop(): Promise<void>;
}

export const RUNTIME_ROLE = 'leadflow_runtime_test';

/** A new, fully migrated database in the run's Postgres, for one test file. */
export function freshDatabase(): Promise<TestDatabase> {
  return createScratchDatabase(inject('postgresAdminUrl'));
}

/** The same outside vitest (benchmarks): a migrated database with the runtime role. */
export async function createScratchDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await createDatabase(adminUrl, name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await migrateDeploy({ databaseUrl: url.toString() });
  const appUrl = await ensureRuntimeLogin({
    ownerUrl: url.toString(),
    role: RUNTIME_ROLE,
    password: 'runtime-test-password',
  });
  const db = createPrisma({ databaseUrl: url.toString(), max: 4 });
  const appDb = createPrisma({ databaseUrl: appUrl, max: 6 });
  return {
    url: url.toString(),
    db,
    appUrl,
    appDb,
    async drop() {
      await Promise.all([db.$disconnect(), appDb.$disconnect()]);
      await dropDatabase(adminUrl, name);
    },
  };
}
