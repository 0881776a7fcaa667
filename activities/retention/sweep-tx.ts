import { randomUUID } from 'node:crypto';
import type { Prisma } from '@prisma/client';
import { chainOf, GENESIS_HASH, PLATFORM_CHAIN, receiptHash, type ReceiptBody } from '../../db/deletion-receipts';
import { isUuid } from '../../domain/ids';
import type { Db } from '../../db/prisma';
import { poolOf } from '../../db/prisma';
import type { SqlClient } from '../../db/sql';

/**
 * A sweep batch's transaction in plain SQL on Prisma's own pool, as the compliance role
 * (`withComplianceRole` without Prisma's per-query and per-transaction work: a batch runs a
 * handful of statements 200 times a million rows, and through Prisma they cost the worker
 * more than Postgres spent deleting). BEGIN and the role travel in one round trip.
 */
export async function withComplianceSql<T>(db: Db, fn: (c: SqlClient) => Promise<T>): Promise<T> {
  const client = await poolOf(db).connect();
  let broken = false;
  try {
    await client.query(`BEGIN; SELECT set_config('role', 'leadflow_compliance', true)`);
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

/** A Prisma.sql fragment run on a plain client: its `$n` text and values. */
export async function rows<R extends Record<string, unknown>>(c: SqlClient, sql: Prisma.Sql): Promise<R[]> {
  return (await c.query(sql.text, sql.values)).rows as R[];
}

export async function rowCount(c: SqlClient, sql: Prisma.Sql): Promise<number> {
  return (await c.query(sql.text, sql.values)).rowCount ?? 0;
}

/**
 * db/deletion-receipts.ts's appendDeletionReceipt on a plain client, in the batch's own
 * transaction: the chain's lock and its last link in one round trip, then the new link.
 * Same lock, same canonical hash (receiptHash), same columns, so verifyReceiptChains
 * checks these links like any other.
 */
export async function appendReceiptSql(c: SqlClient, body: ReceiptBody): Promise<void> {
  const chain = chainOf(body.businessId);
  // Inlined so both travel in one round trip (a simple query), each statement with its own
  // snapshot: the read sees the link a transaction that held the lock just committed.
  if (chain !== PLATFORM_CHAIN && !isUuid(chain)) throw new Error('appendReceiptSql: the chain must be a uuid');
  const results = (await c.query(
    `SELECT pg_advisory_xact_lock(hashtext('leadflow.deletion_receipts'), hashtext('${chain}'));
     SELECT hash, seq::text AS last_seq FROM deletion_receipts WHERE chain = '${chain}' ORDER BY seq DESC LIMIT 1`,
  )) as unknown as Array<{ rows: Array<{ hash: string; last_seq: string }> }>;
  const last = results[1]!.rows;
  const prevHash = last[0]?.hash ?? GENESIS_HASH;
  const seq = BigInt(last[0]?.last_seq ?? 0) + 1n;
  const deletedAt = new Date();
  const hash = receiptHash(prevHash, { ...body, deletedAt: deletedAt.toISOString() });
  await c.query(
    `INSERT INTO deletion_receipts (id, chain, seq, business_id, subject_id, cause, counts, deleted_at, prev_hash, hash)
     VALUES ($1::uuid, $2, $3::bigint, $4::uuid, $5::uuid, $6, $7::jsonb, $8, $9, $10)`,
    [
      randomUUID(),
      chain,
      seq.toString(),
      body.businessId,
      body.subjectId,
      body.cause,
      JSON.stringify(body.counts),
      deletedAt,
      prevHash,
      hash,
    ],
  );
}
