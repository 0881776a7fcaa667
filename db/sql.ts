import type pg from 'pg';
import { poolOf, type Db } from './prisma';
import { isUuid } from '../domain/ids';

/**
 * Plain SQL on Prisma's own pool, for the statements every lead runs (capture, the first
 * reply, each send). Measured on this stack, a Prisma model query costs about 1 ms of CPU
 * and an interactive transaction about 1 ms more; the same transaction in SQL costs a
 * tenth of that, and the worker is CPU-bound on these paths (bench/RESULTS.md). Everything
 * else stays on Prisma. Column names are the schema's @map names.
 */
export type SqlClient = Pick<pg.PoolClient, 'query'>;

/** Postgres' unique_violation: another attempt wrote the row first. */
export const isUniqueViolation = (err: unknown) => (err as { code?: string } | null)?.code === '23505';

/**
 * `withTenant` in SQL: one transaction that row-level security scopes to the business
 * (the setting is transaction-local, so a pooled connection never carries it on).
 */
export async function withTenantSql<T>(db: Db, businessId: string, fn: (c: SqlClient) => Promise<T>): Promise<T> {
  // Inlined so BEGIN and the setting travel in one round trip: only a uuid gets here.
  if (!isUuid(businessId)) throw new Error('withTenantSql: the business id must be a uuid');
  const client = await poolOf(db).connect();
  let broken = false;
  try {
    await client.query(`BEGIN; SELECT set_config('app.business_id', '${businessId}', true)`);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    // A connection that cannot even roll back is dropped, not handed to the next caller.
    client.release(broken);
  }
}

/**
 * One statement outside a transaction: tables without row-level security, or a function that
 * sets its own tenant (the send's, prisma/migrations/20261204120000_send_in_one_call).
 */
export async function sql<R extends pg.QueryResultRow>(db: Db, text: string, values: unknown[] = []): Promise<R[]> {
  return (await poolOf(db).query<R>(text, values)).rows;
}
