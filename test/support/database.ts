import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createPrisma, type Db } from '../../db/prisma';
import { migrateDeploy } from '../../scripts/db/migrate';
import { createDatabase, dropDatabase } from '../../scripts/toolchain/postgres';

export interface TestDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

/** A new, fully migrated database in the run's Postgres, for one test file. */
export async function freshDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('postgresAdminUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  await createDatabase(adminUrl, name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await migrateDeploy({ databaseUrl: url.toString() });
  const db = createPrisma({ databaseUrl: url.toString(), max: 4 });
  return {
    url: url.toString(),
    db,
    async drop() {
      await db.$disconnect();
      await dropDatabase(adminUrl, name);
    },
  };
}
