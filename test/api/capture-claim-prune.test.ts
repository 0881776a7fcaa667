import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenantSql } from '../../db/sql';
import { createKeyring } from '../../domain/crypto/keyring';
import { claimDigests, claimRequest, ClaimPruneMarks, DUPLICATE_WINDOW_MS } from '../../services/leads/request-claims';
import { createBusiness } from '../support/business';
import { freshDatabase, type TestDatabase } from '../support/database';

const MINUTE = 60_000;

/** Capture's duplicate window and the pruning of expired claims, on Postgres as the runtime role. */
describe('capture claims: the duplicate window and expired claims pruned', () => {
  let database: TestDatabase;
  const keyring = createKeyring({ current: randomBytes(32) });

  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  const newBusiness = async () => (await createBusiness(database.db)).id;

  const claimPhone = (businessId: string, phone: string, now: Date, marks: ClaimPruneMarks) =>
    withTenantSql(database.appDb, businessId, (c) =>
      claimRequest(c, {
        businessId,
        digests: claimDigests(keyring, businessId, { kind: 'phone', phone }),
        leadId: randomUUID(),
        requestHash: null,
        now,
        ttlMs: DUPLICATE_WINDOW_MS,
        pruneMarks: marks,
      }),
    );

  const claims = async (businessId: string) =>
    database.db.idempotencyClaim.findMany({ where: { businessId }, orderBy: { expiresAt: 'asc' } });

  /** Claims written as the owner, expiring at the given times (other processes' captures). */
  const seedClaims = async (businessId: string, expiries: Date[]) => {
    await database.db.idempotencyClaim.createMany({
      data: expiries.map((expiresAt, i) => ({
        businessId,
        digest: `seeded-${i}-${randomUUID()}`,
        leadId: randomUUID(),
        createdAt: new Date(expiresAt.getTime() - DUPLICATE_WINDOW_MS),
        expiresAt,
      })),
    });
  };

  it('keeps the window: the same phone is the same lead until its claim expires, then a new one; expired claims go', async () => {
    const businessId = await newBusiness();
    const marks = new ClaimPruneMarks();
    const t0 = new Date('2026-12-04T09:00:00Z');
    const first = await claimPhone(businessId, '+12125550001', t0, marks);
    expect(first.fresh).toBe(true);
    const again = await claimPhone(businessId, '+12125550001', new Date(t0.getTime() + 6 * MINUTE), marks);
    expect(again).toEqual({ leadId: first.leadId, fresh: false });
    for (let i = 2; i <= 6; i += 1) await claimPhone(businessId, `+1212555000${i}`, t0, marks);
    expect(await claims(businessId)).toHaveLength(6);

    // Eleven minutes on: the six claims have expired; the next capture deletes them and keeps its own.
    const later = new Date(t0.getTime() + 11 * MINUTE);
    const other = await claimPhone(businessId, '+12125550007', later, marks);
    const left = await claims(businessId);
    expect(left).toHaveLength(1);
    expect(left[0]!.leadId).toBe(other.leadId);
    expect(left[0]!.expiresAt.getTime()).toBe(later.getTime() + DUPLICATE_WINDOW_MS);

    const after = await claimPhone(businessId, '+12125550001', new Date(t0.getTime() + 12 * MINUTE), marks);
    expect(after.fresh).toBe(true);
    expect(after.leadId).not.toBe(first.leadId);
  });

  it('prunes a backlog in bounded batches, oldest first, each capture going on where the last stopped', async () => {
    const businessId = await newBusiness();
    const marks = new ClaimPruneMarks();
    const now = new Date('2026-12-04T10:00:00Z');
    // 120 claims that expired over the last two hours, and 10 still live.
    await seedClaims(
      businessId,
      Array.from({ length: 120 }, (_, i) => new Date(now.getTime() - (120 - i) * MINUTE)),
    );
    await seedClaims(
      businessId,
      Array.from({ length: 10 }, (_, i) => new Date(now.getTime() + (i + 1) * MINUTE)),
    );
    const expired = async () => database.db.idempotencyClaim.count({ where: { businessId, expiresAt: { lte: now } } });

    await claimPhone(businessId, '+12125550011', now, marks);
    expect(await expired()).toBe(70);
    // The 50 oldest went first.
    const oldestLeft = (await claims(businessId))[0]!.expiresAt.getTime();
    expect(oldestLeft).toBe(now.getTime() - 70 * MINUTE);
    await claimPhone(businessId, '+12125550012', now, marks);
    expect(await expired()).toBe(20);
    await claimPhone(businessId, '+12125550013', now, marks);
    expect(await expired()).toBe(0);
    // The live ones and the three new claims stay.
    expect(await claims(businessId)).toHaveLength(13);
  });

  it('reads from its mark, and deletes a claim left behind the mark once the mark is an hour old', async () => {
    const businessId = await newBusiness();
    const marks = new ClaimPruneMarks();
    const t0 = new Date('2026-12-04T11:00:00Z');
    await claimPhone(businessId, '+12125550021', t0, marks);
    expect(marks.from(businessId, t0)).toEqual(t0);
    // A claim expiring before the mark that the prune did not see (e.g. its transaction was
    // open): expired, so it never counts, but not yet deleted.
    await seedClaims(businessId, [new Date(t0.getTime() - MINUTE)]);
    await claimPhone(businessId, '+12125550022', new Date(t0.getTime() + 20 * MINUTE), marks);
    const behind = (await claims(businessId)).filter((c) => c.digest.startsWith('seeded-'));
    expect(behind).toHaveLength(1);
    // An hour after the mark was first set, a prune reads from the oldest again.
    const hourOn = new Date(t0.getTime() + 61 * MINUTE);
    expect(marks.from(businessId, hourOn)).toBeNull();
    await claimPhone(businessId, '+12125550023', hourOn, marks);
    const left = await claims(businessId);
    expect(left.filter((c) => c.digest.startsWith('seeded-'))).toHaveLength(0);
    expect(left).toHaveLength(1);
  });

  it('starts over from the oldest when the clock reads earlier than the mark', async () => {
    const marks = new ClaimPruneMarks();
    const businessId = randomUUID();
    const t0 = new Date('2026-12-04T12:00:00Z');
    marks.pruned(businessId, t0, 3, new Date(t0.getTime() - MINUTE));
    expect(marks.from(businessId, new Date(t0.getTime() + MINUTE))).toEqual(t0);
    expect(marks.from(businessId, new Date(t0.getTime() - MINUTE))).toBeNull();
  });

  it('remembers a bounded number of businesses', () => {
    const marks = new ClaimPruneMarks({ maxBusinesses: 2 });
    const now = new Date('2026-12-04T12:00:00Z');
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of [a, b, c]) marks.pruned(id, now, 0, null);
    expect(marks.from(a, now)).toBeNull();
    expect(marks.from(b, now)).toEqual(now);
    expect(marks.from(c, now)).toEqual(now);
  });
});
