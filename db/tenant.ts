import type { Prisma } from '@prisma/client';
import type { Db } from './prisma';

export type Tx = Prisma.TransactionClient;

/**
 * Runs `fn` in a transaction scoped to one business. Postgres row-level security shows
 * the transaction only that business's rows, so a query that forgets its tenant filter
 * still cannot reach another tenant. The setting is transaction-local (`true`): a pooled
 * connection never carries it into the next request.
 */
export function withTenant<T>(db: Db, businessId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT set_config('app.business_id', ${businessId}, true)`;
    return fn(tx);
  });
}

/**
 * Work that must cross tenants (retention sweeps, tenant purges, compliance reports) runs
 * as the explicitly named compliance role, for this transaction only.
 */
export function withComplianceRole<T>(
  db: Db,
  fn: (tx: Tx) => Promise<T>,
  opts: { timeoutMs?: number } = {},
): Promise<T> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT set_config('role', 'leadflow_compliance', true)`;
      return fn(tx);
    },
    // A tenant purge deletes a whole business in one transaction: longer than Prisma's 5 s default.
    opts.timeoutMs ? { timeout: opts.timeoutMs, maxWait: 10_000 } : undefined,
  );
}

/** API key lookup before the tenant is known (a SECURITY DEFINER function, see the rls migration). */
export async function findApiKeyByLookup(db: Db, lookup: string) {
  const rows = await db.$queryRaw<
    Array<{ id: string; business_id: string; role: string; hash: string; revoked_at: Date | null }>
  >`
    SELECT id, business_id, role, hash, revoked_at FROM leadflow_find_api_key(${lookup})`;
  return rows[0] ?? null;
}

export async function businessIdBySmsNumber(db: Db, number: string): Promise<string | null> {
  const rows = await db.$queryRaw<
    Array<{ id: string | null }>
  >`SELECT leadflow_business_by_sms_number(${number}) AS id`;
  return rows[0]?.id ?? null;
}

export async function businessIdByStripeCustomer(db: Db, customerId: string): Promise<string | null> {
  const rows = await db.$queryRaw<
    Array<{ id: string | null }>
  >`SELECT leadflow_business_by_stripe_customer(${customerId}) AS id`;
  return rows[0]?.id ?? null;
}
