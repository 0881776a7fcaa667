import { createHash } from 'node:crypto';
import type { Db } from './prisma';
import { withComplianceRole, type Tx } from './tenant';

export const GENESIS_HASH = '0'.repeat(64);

export interface ReceiptBody {
  businessId: string | null;
  subjectId: string | null;
  cause: string;
  counts: Record<string, number>;
}

/** Canonical form: key order fixed, so the hash is reproducible by anyone auditing the chain. */
export function receiptHash(prevHash: string, body: ReceiptBody & { deletedAt: string }): string {
  const counts = Object.fromEntries(Object.entries(body.counts).sort(([a], [b]) => a.localeCompare(b)));
  const canonical = JSON.stringify([prevHash, body.businessId, body.subjectId, body.cause, counts, body.deletedAt]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Appends a receipt to the one global chain. The chain spans tenants, so it is written as
 * the compliance role, serialised by a transaction-scoped advisory lock.
 */
export async function writeDeletionReceipt(db: Db, body: ReceiptBody): Promise<{ id: string; hash: string }> {
  return withComplianceRole(db, (tx) => appendDeletionReceipt(tx, body));
}

/**
 * The same inside a transaction that is already the compliance role's, so a deletion and
 * its receipt commit together (the retention sweep's batches): a crash leaves both or neither.
 */
export async function appendDeletionReceipt(tx: Tx, body: ReceiptBody): Promise<{ id: string; hash: string }> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('leadflow.deletion_receipts'))`;
  const last = await tx.deletionReceipt.findFirst({ orderBy: { seq: 'desc' }, select: { hash: true } });
  const prevHash = last?.hash ?? GENESIS_HASH;
  const deletedAt = new Date();
  const hash = receiptHash(prevHash, { ...body, deletedAt: deletedAt.toISOString() });
  const row = await tx.deletionReceipt.create({
    data: {
      businessId: body.businessId,
      subjectId: body.subjectId,
      cause: body.cause,
      counts: body.counts,
      deletedAt,
      prevHash,
      hash,
    },
  });
  return { id: row.id, hash };
}

/**
 * Walks the whole chain in order and recomputes every hash: a receipt removed or altered
 * anywhere shows up as the first link that does not match.
 */
export async function verifyReceiptChain(
  db: Db,
): Promise<{ ok: boolean; checked: number; brokenAtSeq: string | null }> {
  return withComplianceRole(db, async (tx) => {
    const rows = await tx.deletionReceipt.findMany({ orderBy: { seq: 'asc' } });
    let prev = GENESIS_HASH;
    for (const row of rows) {
      const expected = receiptHash(prev, {
        businessId: row.businessId,
        subjectId: row.subjectId,
        cause: row.cause,
        counts: row.counts as Record<string, number>,
        deletedAt: row.deletedAt.toISOString(),
      });
      if (row.prevHash !== prev || row.hash !== expected)
        return { ok: false, checked: rows.length, brokenAtSeq: String(row.seq) };
      prev = row.hash;
    }
    return { ok: true, checked: rows.length, brokenAtSeq: null };
  });
}
