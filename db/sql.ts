import { createHash } from 'node:crypto';
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

const names = new Map<string, string>();

/**
 * A statement as a named (prepared) one: each pooled connection parses and plans it once,
 * not on every call. Measured on this stack (bench/RESULTS.md), the capture's transaction
 * cost Postgres 1.24 ms of CPU unnamed and 0.70 ms named. The name is a hash of the text,
 * so one name never stands for two texts. Only for fixed texts: every distinct text stays
 * prepared on each connection it ran on, for the connection's life.
 */
export function prepared(text: string, values: unknown[]): pg.QueryConfig {
  let name = names.get(text);
  if (!name) {
    name = `lf_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
    names.set(text, name);
  }
  return { name, text, values };
}

/**
 * A prepared statement whose result's shape a migration changed (a function's columns): this
 * connection fails it until it goes, so it is dropped, and the caller's retry takes another.
 */
const isStalePlan = (err: unknown) =>
  (err as { code?: string } | null)?.code === '0A000' &&
  /cached plan must not change result type/.test((err as Error).message);

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
    if (isStalePlan(err)) broken = true;
    throw err;
  } finally {
    // A connection that cannot even roll back is dropped, not handed to the next caller.
    client.release(broken);
  }
}

/** One statement on a pooled connection; a connection left with a stale plan is dropped. */
async function onConnection<T>(db: Db, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await poolOf(db).connect();
  let stale = false;
  try {
    return await fn(client);
  } catch (err) {
    stale = isStalePlan(err);
    throw err;
  } finally {
    client.release(stale);
  }
}

/**
 * One statement outside a transaction: tables without row-level security, or a function that
 * sets its own tenant (the send's, prisma/migrations/20261204120000_send_in_one_call). Prepared
 * (`prepared`): every caller passes a fixed text.
 */
export async function sql<R extends pg.QueryResultRow>(db: Db, text: string, values: unknown[] = []): Promise<R[]> {
  return onConnection(db, async (c) => (await c.query<R>(prepared(text, values))).rows);
}

/** The pool as a SqlClient: each statement on a connection of its own, as `sql` runs them. */
export function pooled(db: Db): SqlClient {
  const query = (...args: unknown[]) =>
    onConnection(db, (c) => (c.query as (...a: unknown[]) => Promise<unknown>).apply(c, args));
  return { query: query as SqlClient['query'] };
}
