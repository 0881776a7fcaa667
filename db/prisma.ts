import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@prisma/client';

export type Db = PrismaClient;

/** Prisma over the `pg` driver adapter: no native query engine is needed. */
export function createPrisma({ databaseUrl, max = 10 }: { databaseUrl: string; max?: number }): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max });
  return new PrismaClient({ adapter });
}
