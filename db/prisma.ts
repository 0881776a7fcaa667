import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@prisma/client';
import pg from 'pg';

export type Db = PrismaClient;

/** The `pg` pool under each client, for the few hot paths written in SQL (db/sql.ts). */
const pools = new WeakMap<Db, pg.Pool>();

/**
 * Prisma over the `pg` driver adapter: no native query engine is needed. The pool is
 * made here and shared, so Prisma's queries and db/sql.ts's use one set of connections.
 */
export function createPrisma({ databaseUrl, max = 10 }: { databaseUrl: string; max?: number }): Db {
  const pool = new pg.Pool({ connectionString: databaseUrl, max });
  // An idle connection the server dropped (a Postgres restart) must not crash the process.
  pool.on('error', () => {});
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(client, pool);
  return client;
}

export function poolOf(db: Db): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error('this Prisma client was not made by createPrisma: it has no pool for db/sql');
  return pool;
}
