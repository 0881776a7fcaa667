import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  GENESIS_HASH,
  PLATFORM_CHAIN,
  receiptHash,
  verifyReceiptChains,
  writeDeletionReceipt,
} from '../../db/deletion-receipts';
import { createPrisma } from '../../db/prisma';
import { createKey } from '../../api/routes/businesses';
import { withTenant } from '../../db/tenant';
import { migrateDeploy } from '../../scripts/db/migrate';
import { listMigrations } from '../../scripts/db/migrations';
import { MIGRATIONS_DIR } from '../../scripts/db/prisma-cli';
import { createDatabase, dropDatabase } from '../../scripts/toolchain/postgres';
import { cliInProcess } from '../cli/cli-harness';
import { createBusiness } from '../support/business';
import { startStack, type Stack } from '../support/stack';

interface ListedReceipt {
  id: string;
  seq: string;
  subjectId: string | null;
  cause: string;
  counts: Record<string, number>;
  prevHash: string;
  hash: string;
}

describe('deletion receipts: proof without personal data, one chain per business', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const keyFor = async (businessId: string, role: 'compliance' | 'operator') =>
    (await withTenant(stack.database.db, businessId, (tx) => createKey(tx, businessId, role, role))).key;

  const listed = async (key: string): Promise<ListedReceipt[]> => {
    const res = await request(stack.app).get('/v1/compliance/deletion-receipts').set('Authorization', `Bearer ${key}`);
    expect(res.status).toBe(200);
    return res.body.data;
  };

  it('lists a business’s receipts for compliance staff, and notices a removed link', async () => {
    const a = await createBusiness(stack.database.db);
    const b = await createBusiness(stack.database.db);
    const subjects = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    for (const [i, subjectId] of subjects.entries()) {
      await writeDeletionReceipt(stack.database.appDb, {
        businessId: i === 1 ? b.id : a.id,
        subjectId,
        cause: 'policy:messaging_logs',
        counts: { messages: i + 1 },
      });
    }
    expect(await verifyReceiptChains(stack.database.appDb)).toMatchObject({ ok: true, brokenAtSeq: null });

    const compliance = await keyFor(a.id, 'compliance');
    const operator = await keyFor(a.id, 'operator');
    const data = await listed(compliance);
    expect(data.map((r) => r.subjectId)).toEqual([subjects[3], subjects[2], subjects[0]]);
    expect(data[0]).toMatchObject({ cause: 'policy:messaging_logs', counts: { messages: 4 } });
    expect(
      (await request(stack.app).get('/v1/compliance/deletion-receipts').set('Authorization', `Bearer ${operator}`))
        .status,
    ).toBe(403);

    // Someone with owner access to the database removes a receipt from the middle of A's chain.
    const middle = await stack.database.db.deletionReceipt.findFirstOrThrow({ where: { subjectId: subjects[2] } });
    await stack.database.db.deletionReceipt.delete({ where: { id: middle.id } });
    const broken = await verifyReceiptChains(stack.database.appDb);
    expect(broken).toMatchObject({ ok: false, brokenChain: a.id, brokenAtSeq: String(middle.seq + 1n) });
    expect(broken.chains.find((c) => c.chain === b.id)).toMatchObject({ ok: true, checked: 1 });
  });

  it('interleaved deletions of two businesses: each chain numbers 1..n and links only its own receipts; tampering shows', async () => {
    // Earlier tests' receipts would break this test's whole-database verify; start from none.
    await stack.database.db.deletionReceipt.deleteMany({});
    const a = await createBusiness(stack.database.db);
    const b = await createBusiness(stack.database.db);
    const write = (businessId: string | null, n: number) =>
      writeDeletionReceipt(stack.database.appDb, {
        businessId,
        subjectId: businessId ? randomUUID() : null,
        cause: `policy:test-${n}`,
        counts: { messages: n, provider_messages: 0 },
      });
    // One after another, alternating, then concurrently (the per-chain lock keeps each chain whole).
    for (let n = 1; n <= 3; n += 1) {
      await write(a.id, n);
      await write(b.id, n);
    }
    await Promise.all([write(a.id, 4), write(b.id, 4), write(a.id, 5), write(b.id, 5), write(a.id, 6)]);
    await write(null, 1); // a receipt with no tenant: the platform chain

    const mine = (await listed(await keyFor(a.id, 'compliance'))).reverse();
    const theirs = (await listed(await keyFor(b.id, 'compliance'))).reverse();
    expect(mine.map((r) => r.seq)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(theirs.map((r) => r.seq)).toEqual(['1', '2', '3', '4', '5']);
    for (const chain of [mine, theirs]) {
      expect(chain.map((r) => r.prevHash)).toEqual([GENESIS_HASH, ...chain.slice(0, -1).map((r) => r.hash)]);
    }
    const theirHashes = new Set(theirs.map((r) => r.hash));
    expect(mine.filter((r) => theirHashes.has(r.prevHash))).toEqual([]);
    // Neither tenant sees the platform's receipt.
    expect([...mine, ...theirs].some((r) => r.cause === 'policy:test-1' && r.subjectId === null)).toBe(false);
    const platform = await stack.database.db.deletionReceipt.findMany({ where: { chain: PLATFORM_CHAIN } });
    expect(platform.map((r) => [r.seq, r.prevHash])).toEqual([[1n, GENESIS_HASH]]);

    const verified = await verifyReceiptChains(stack.database.appDb);
    expect(verified).toMatchObject({ ok: true, checked: 12, brokenAtSeq: null, brokenChain: null });
    const cliOk = await cliInProcess(['receipts', 'verify', '--json'], { DATABASE_URL: stack.database.appUrl });
    expect(cliOk.exitCode).toBe(0);
    expect(JSON.parse(cliOk.stdout)).toMatchObject({ ok: true, checked: 12 });
    expect(verified.chains.map((c) => [c.chain, c.ok, c.checked]).sort()).toEqual(
      [
        [a.id, true, 6],
        [b.id, true, 5],
        [PLATFORM_CHAIN, true, 1],
      ].sort(),
    );

    // Someone with owner access lowers a count on B's third receipt.
    const third = await stack.database.db.deletionReceipt.findFirstOrThrow({ where: { chain: b.id, seq: 3n } });
    await stack.database.db.deletionReceipt.update({ where: { id: third.id }, data: { counts: { messages: 0 } } });
    const tampered = await verifyReceiptChains(stack.database.appDb);
    expect(tampered).toMatchObject({ ok: false, brokenChain: b.id, brokenAtSeq: '3' });
    expect(tampered.chains.find((c) => c.chain === a.id)).toMatchObject({ ok: true });

    // `leadflow receipts verify` says the same, with exit 1 (it reads the database itself).
    const cli = await cliInProcess(['receipts', 'verify'], { DATABASE_URL: stack.database.appUrl });
    expect(cli.exitCode).toBe(1);
    expect(cli.stdout).toContain(`chain ${b.id} BROKEN at seq 3`);
    expect(cli.stdout).not.toContain(`chain ${a.id} BROKEN`);
  });
});

describe('the per-business chain migration keeps receipts written before it verifiable', () => {
  const adminUrl = () => inject('postgresAdminUrl');
  const name = `r_${randomUUID().slice(0, 8)}`;
  const scratch = mkdtempSync(join(tmpdir(), 'leadflow-receipts-'));
  let url = '';

  afterAll(async () => {
    await dropDatabase(adminUrl(), name).catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  });

  it('re-chains old receipts per business (hashes recomputed in SQL equal ours) and keeps their old links', async () => {
    await createDatabase(adminUrl(), name);
    const u = new URL(adminUrl());
    u.pathname = `/${name}`;
    url = u.toString();
    // The database as it was before per-business chains.
    const all = listMigrations({ migrationsDir: MIGRATIONS_DIR });
    const rechain = all.findIndex((m) => m.endsWith('_per_tenant_receipt_chains_and_emails'));
    expect(rechain).toBeGreaterThan(0);
    const before = join(scratch, 'migrations');
    cpSync(MIGRATIONS_DIR, before, { recursive: true });
    for (const later of all.slice(rechain)) rmSync(join(before, later), { recursive: true });
    await migrateDeploy({ databaseUrl: url, migrationsDir: before });

    // Receipts written the old way: one global chain across tenants, keys in any order,
    // text that JSON must escape, and one without a tenant.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const [a, b] = [randomUUID(), randomUUID()];
    const old: Array<{ businessId: string | null; cause: string; counts: Record<string, number> }> = [
      { businessId: a, cause: 'request:1', counts: { provider_messages: 2, messages: 12, calendar_events: 1 } },
      { businessId: b, cause: 'sweep:"quoted" \\ é', counts: { ai_logs: 3 } },
      { businessId: null, cause: 'policy:billing_records', counts: { billing_records: 4 } },
      { businessId: a, cause: 'account:cancelled', counts: {} },
      { businessId: b, cause: 'policy:messaging_logs', counts: { lead_texts: 1, messages: 0 } },
    ];
    let prev = GENESIS_HASH;
    const oldHashes: string[] = [];
    try {
      for (const [i, r] of old.entries()) {
        const deletedAt = new Date(Date.UTC(2026, 10, 20, 12, 0, i, 7 * i));
        const subjectId = r.businessId ? randomUUID() : null;
        const hash = receiptHash(prev, { ...r, subjectId, deletedAt: deletedAt.toISOString() });
        await client.query(
          `INSERT INTO deletion_receipts (id, business_id, subject_id, cause, counts, deleted_at, prev_hash, hash)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [randomUUID(), r.businessId, subjectId, r.cause, JSON.stringify(r.counts), deletedAt, prev, hash],
        );
        oldHashes.push(hash);
        prev = hash;
      }
    } finally {
      await client.end();
    }

    await migrateDeploy({ databaseUrl: url });
    const db = createPrisma({ databaseUrl: url, max: 2 });
    try {
      const rows = await db.deletionReceipt.findMany({ orderBy: [{ chain: 'asc' }, { seq: 'asc' }] });
      const chainOf = (id: string) => rows.filter((r) => r.chain === id).map((r) => [r.seq, r.cause]);
      expect(chainOf(a)).toEqual([
        [1n, 'request:1'],
        [2n, 'account:cancelled'],
      ]);
      expect(chainOf(b)).toEqual([
        [1n, 'sweep:"quoted" \\ é'],
        [2n, 'policy:messaging_logs'],
      ]);
      expect(chainOf(PLATFORM_CHAIN)).toEqual([[1n, 'policy:billing_records']]);
      const verified = await verifyReceiptChains(db);
      expect(verified).toMatchObject({ ok: true, checked: 5 });
      expect(verified.chains.find((c) => c.chain === 'legacy')).toEqual({
        chain: 'legacy',
        ok: true,
        checked: 5,
        brokenAtSeq: null,
      });
      const links = await db.deletionReceiptLegacyLink.findMany({ orderBy: { seq: 'asc' } });
      expect(links.map((l) => l.hash)).toEqual(oldHashes);

      // New receipts continue each business's chain.
      const next = await writeDeletionReceipt(db, { businessId: b, subjectId: null, cause: 'sweep:x', counts: {} });
      expect(next.seq).toBe(3n);
      expect(await verifyReceiptChains(db)).toMatchObject({ ok: true, checked: 6 });

      // An old receipt altered after the migration breaks both its own chain and the legacy one.
      await db.$executeRaw`ALTER TABLE deletion_receipts NO FORCE ROW LEVEL SECURITY`;
      await db.$executeRaw`UPDATE deletion_receipts SET cause = 'request:2' WHERE cause = 'request:1'`;
      const broken = await verifyReceiptChains(db);
      expect(broken.ok).toBe(false);
      expect(
        broken.chains
          .filter((c) => !c.ok)
          .map((c) => c.chain)
          .sort(),
      ).toEqual([a, 'legacy'].sort());
    } finally {
      await db.$disconnect();
    }
  });
});
