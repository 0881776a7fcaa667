import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeadCodec } from '../../codec/lead-data-converter';
import { leadIntakeValues } from '../../db/lead-intake';
import { withTenantSql } from '../../db/sql';
import { createKeyring } from '../../domain/crypto/keyring';
import {
  claimAndRecordInOneCall,
  claimDigests,
  claimRequest,
  ClaimPruneMarks,
  DUPLICATE_WINDOW_MS,
} from '../../services/leads/request-claims';
import type { CapturedLead } from '../../workflows/lead/definitions';
import { createBusiness } from '../support/business';
import { freshDatabase, type TestDatabase } from '../support/database';

/**
 * The usual capture in one call (leadflow_capture): claim and lead row together when the claim
 * is the capture's own new id, nothing written for the lead otherwise. As the runtime role,
 * under row-level security.
 */
describe('capture in one call', () => {
  let database: TestDatabase;
  const keyring = createKeyring({ current: randomBytes(32) });
  const masterKey = randomBytes(32).toString('hex');

  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  const lead = (phone: string): CapturedLead => ({
    name: 'Marisol Vega',
    phone,
    source: 'widget',
    message: 'Water heater leaking',
    consent: {
      text: 'You agree to receive texts about your request. Reply STOP to opt out.',
      at: '2026-12-04T09:00:00.000Z',
      method: 'widget',
    },
  });

  /** A store whose pool the background fill has filled (refill() would also record every claim at once). */
  const storeWithReadyKeys = async () => {
    const { keys } = createLeadCodec({ db: database.appDb, masterKey, poolSize: 2 });
    await expect.poll(() => keys.readyKeys, { timeout: 10_000 }).toBe(2);
    return keys;
  };

  const capture = (businessId: string, phone: string, now: Date, dataKeyId?: string) => {
    const leadId = randomUUID();
    return claimAndRecordInOneCall(database.appDb, {
      businessId,
      digest: claimDigests(keyring, businessId, { kind: 'phone', phone })[0]!,
      leadId,
      requestHash: null,
      now,
      ttlMs: DUPLICATE_WINDOW_MS,
      recentByPhone: { phone, since: new Date(now.getTime() - DUPLICATE_WINDOW_MS) },
      intake: leadIntakeValues({ leadId, businessId, lead: lead(phone), capturedAt: now, dataKeyId }),
      pruneMarks: new ClaimPruneMarks(),
    }).then((answer) => ({ ...answer, asked: leadId }));
  };

  it('claims and records a new lead, its consent and its data key in one call; the same phone again writes nothing', async () => {
    const { id: businessId } = await createBusiness(database.db);
    const keys = await storeWithReadyKeys();
    const now = new Date('2026-12-04T09:00:00Z');
    const leadId = randomUUID();
    const key = keys.takeReady(leadId, businessId)!;
    expect(key).not.toBeNull();

    const first = await claimAndRecordInOneCall(database.appDb, {
      businessId,
      digest: claimDigests(keyring, businessId, { kind: 'phone', phone: '+12125550101' })[0]!,
      leadId,
      requestHash: null,
      now,
      ttlMs: DUPLICATE_WINDOW_MS,
      recentByPhone: { phone: '+12125550101', since: new Date(now.getTime() - DUPLICATE_WINDOW_MS) },
      intake: leadIntakeValues({ leadId, businessId, lead: lead('+12125550101'), capturedAt: now, dataKeyId: key.id }),
      pruneMarks: new ClaimPruneMarks(),
    });
    expect(first).toEqual({ leadId, recorded: true });
    const row = await database.db.lead.findUniqueOrThrow({ where: { id: leadId } });
    expect(row).toMatchObject({ businessId, phone: '+12125550101', status: 'new', source: 'widget' });
    expect(await database.db.consentRecord.count({ where: { leadId } })).toBe(1);
    expect(await database.db.leadDataKey.findUniqueOrThrow({ where: { id: key.id } })).toMatchObject({
      leadId,
      businessId,
    });
    expect(await database.db.idempotencyClaim.findMany({ where: { businessId } })).toMatchObject([{ leadId }]);

    // Four minutes later, the same phone: the live claim holds it, nothing is written for the new id.
    const again = await capture(businessId, '+12125550101', new Date(now.getTime() + 4 * 60_000));
    expect(again).toMatchObject({ leadId: null, recorded: false });
    expect(await database.db.lead.count({ where: { id: again.asked } })).toBe(0);
    expect(await database.db.lead.count({ where: { businessId } })).toBe(1);
    // The usual claim then answers with the first lead, as the capture's fallback asks it.
    const claimed = await withTenantSql(database.appDb, businessId, (c) =>
      claimRequest(c, {
        businessId,
        digests: claimDigests(keyring, businessId, { kind: 'phone', phone: '+12125550101' }),
        leadId: randomUUID(),
        requestHash: null,
        now: new Date(now.getTime() + 4 * 60_000),
        ttlMs: DUPLICATE_WINDOW_MS,
      }),
    );
    expect(claimed).toEqual({ leadId, fresh: false });
    keys.close();
  });

  it('claims for a lead recorded without a claim (accepted while Postgres was down) and does not record the new id', async () => {
    const { id: businessId } = await createBusiness(database.db);
    const now = new Date('2026-12-04T10:00:00Z');
    const earlier = randomUUID();
    await database.db.lead.create({
      data: { id: earlier, businessId, name: 'Marisol Vega', phone: '+12125550102', source: 'api', createdAt: now },
    });
    const answer = await capture(businessId, '+12125550102', new Date(now.getTime() + 60_000));
    expect(answer).toMatchObject({ leadId: earlier, recorded: false });
    expect(await database.db.lead.count({ where: { id: answer.asked } })).toBe(0);
    expect(await database.db.idempotencyClaim.findMany({ where: { businessId } })).toMatchObject([{ leadId: earlier }]);
  });

  it('writes nothing for another business: the tenant is the one named', async () => {
    const { id: mine } = await createBusiness(database.db);
    const { id: theirs } = await createBusiness(database.db);
    const now = new Date('2026-12-04T11:00:00Z');
    const answer = await capture(mine, '+12125550103', now);
    expect(answer.recorded).toBe(true);
    const seen = await withTenantSql(database.appDb, theirs, (c) =>
      c.query('SELECT id FROM leads WHERE id = $1', [answer.leadId]),
    );
    expect(seen.rows).toEqual([]);
  });

  it('a key taken for an id that did not become a lead is given up: never recorded for it, not known for it', async () => {
    const { id: businessId } = await createBusiness(database.db);
    const keys = await storeWithReadyKeys();
    const phantom = randomUUID();
    const key = keys.takeReady(phantom, businessId)!;
    keys.notUsed(key.id, phantom);
    // Recording every pending claim now writes nothing for it (without notUsed it would name
    // the phantom id); the phantom id has no key of its own.
    await keys.refill();
    expect(await database.db.leadDataKey.findUniqueOrThrow({ where: { id: key.id } })).toMatchObject({
      leadId: null,
    });
    const own = await keys.keyForLead(phantom, businessId, { newLead: true });
    expect(own.id).not.toBe(key.id);
    keys.close();
  });
});
