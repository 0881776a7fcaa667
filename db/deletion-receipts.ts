import { createHash } from 'node:crypto';
import type { Db } from './prisma';
import { withComplianceRole, type Tx } from './tenant';

export const GENESIS_HASH = '0'.repeat(64);

/** The chain of receipts that concern no tenant; only the compliance role (the platform admin) reads it. */
export const PLATFORM_CHAIN = 'platform';

export interface ReceiptBody {
  businessId: string | null;
  subjectId: string | null;
  cause: string;
  counts: Record<string, number>;
}

/** Each tenant's receipts form their own chain, so a tenant's links never point at another tenant's deletions. */
export const chainOf = (businessId: string | null): string => businessId ?? PLATFORM_CHAIN;

/**
 * Canonical form: key order fixed (by code point, so no auditor's locale changes it), so
 * the hash is reproducible by anyone auditing the chain. The per-tenant migration
 * computes the same form in SQL.
 */
export function receiptHash(prevHash: string, body: ReceiptBody & { deletedAt: string }): string {
  const counts = Object.fromEntries(Object.entries(body.counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const canonical = JSON.stringify([prevHash, body.businessId, body.subjectId, body.cause, counts, body.deletedAt]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Appends a receipt to its tenant's chain (the platform chain without a tenant). Written
 * as the compliance role: a receipt may outlive its tenant (billing records deleted years
 * after a purge) and still belongs at the end of that tenant's chain.
 */
export async function writeDeletionReceipt(
  db: Db,
  body: ReceiptBody,
): Promise<{ id: string; hash: string; seq: bigint }> {
  return withComplianceRole(db, (tx) => appendDeletionReceipt(tx, body));
}

/**
 * The same inside a transaction that is already the compliance role's, so a deletion and
 * its receipt commit together (the retention sweep's batches): a crash leaves both or neither.
 * Serialised per chain by a transaction-scoped advisory lock; the (chain, seq) unique index
 * would refuse a second link with the same number anyway.
 */
export async function appendDeletionReceipt(
  tx: Tx,
  body: ReceiptBody,
): Promise<{ id: string; hash: string; seq: bigint }> {
  const chain = chainOf(body.businessId);
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('leadflow.deletion_receipts'), hashtext(${chain}))`;
  const last = await tx.deletionReceipt.findFirst({
    where: { chain },
    orderBy: { seq: 'desc' },
    select: { hash: true, seq: true },
  });
  const prevHash = last?.hash ?? GENESIS_HASH;
  const seq = (last?.seq ?? 0n) + 1n;
  const deletedAt = new Date();
  const hash = receiptHash(prevHash, { ...body, deletedAt: deletedAt.toISOString() });
  const row = await tx.deletionReceipt.create({
    data: {
      chain,
      seq,
      businessId: body.businessId,
      subjectId: body.subjectId,
      cause: body.cause,
      counts: body.counts,
      deletedAt,
      prevHash,
      hash,
    },
  });
  return { id: row.id, hash, seq };
}

export interface ChainCheck {
  /** A business id, "platform", or "legacy" for the links written before per-tenant chains. */
  chain: string;
  ok: boolean;
  checked: number;
  brokenAtSeq: string | null;
}

export interface ReceiptVerification {
  ok: boolean;
  /** Receipts checked across every chain (the legacy links not counted again). */
  checked: number;
  chains: ChainCheck[];
  /** The first broken chain's position, for a one-line answer. */
  brokenAtSeq: string | null;
  brokenChain: string | null;
}

type StoredReceipt = {
  id: string;
  seq: bigint;
  businessId: string | null;
  subjectId: string | null;
  cause: string;
  counts: unknown;
  deletedAt: Date;
  prevHash: string;
  hash: string;
};

const bodyOf = (row: StoredReceipt) => ({
  businessId: row.businessId,
  subjectId: row.subjectId,
  cause: row.cause,
  counts: row.counts as Record<string, number>,
  deletedAt: row.deletedAt.toISOString(),
});

/**
 * Walks one chain in order and recomputes every hash: a receipt removed, inserted or altered
 * anywhere, or moved to another business's chain, shows up as the first link that does not
 * match, as does a gap in the numbering.
 */
export function checkChain(chain: string, rows: StoredReceipt[]): ChainCheck {
  let prev = GENESIS_HASH;
  let expectedSeq = 1n;
  for (const row of rows) {
    const broken =
      chainOf(row.businessId) !== chain ||
      row.seq !== expectedSeq ||
      row.prevHash !== prev ||
      row.hash !== receiptHash(prev, bodyOf(row));
    if (broken) return { chain, ok: false, checked: rows.length, brokenAtSeq: String(row.seq) };
    prev = row.hash;
    expectedSeq += 1n;
  }
  return { chain, ok: true, checked: rows.length, brokenAtSeq: null };
}

/**
 * Receipts written before per-tenant chains keep the single chain they were written in:
 * each legacy link must still match its receipt's body, and no receipt it names may be gone.
 */
function checkLegacy(
  links: Array<{ seq: bigint; receiptId: string; prevHash: string; hash: string }>,
  byId: Map<string, StoredReceipt>,
): ChainCheck {
  let prev = GENESIS_HASH;
  for (const link of links) {
    const row = byId.get(link.receiptId);
    const broken = !row || link.prevHash !== prev || link.hash !== receiptHash(prev, bodyOf(row));
    if (broken) return { chain: 'legacy', ok: false, checked: links.length, brokenAtSeq: String(link.seq) };
    prev = link.hash;
  }
  return { chain: 'legacy', ok: true, checked: links.length, brokenAtSeq: null };
}

/** Every chain (each tenant's, the platform's and the legacy one), as the platform admin. */
export async function verifyReceiptChains(db: Db): Promise<ReceiptVerification> {
  return withComplianceRole(db, async (tx) => {
    const rows = await tx.deletionReceipt.findMany({ orderBy: [{ chain: 'asc' }, { seq: 'asc' }] });
    const links = await tx.deletionReceiptLegacyLink.findMany({ orderBy: { seq: 'asc' } });
    const byChain = new Map<string, StoredReceipt[]>();
    for (const row of rows) {
      const list = byChain.get(row.chain) ?? [];
      list.push(row);
      byChain.set(row.chain, list);
    }
    const chains = [...byChain].map(([chain, list]) => checkChain(chain, list));
    if (links.length > 0) chains.push(checkLegacy(links, new Map(rows.map((r) => [r.id, r]))));
    const broken = chains.find((c) => !c.ok) ?? null;
    return {
      ok: broken === null,
      checked: rows.length,
      chains,
      brokenAtSeq: broken?.brokenAtSeq ?? null,
      brokenChain: broken?.chain ?? null,
    };
  });
}
