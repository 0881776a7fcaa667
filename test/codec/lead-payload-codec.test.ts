import { randomBytes, randomUUID } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeadCodec, type LeadCodec } from '../../codec/lead-data-converter';
import { destroyLeadDataKeys, isDataKeyDestroyed, LeadDataKeyStore } from '../../codec/lead-data-keys';
import { createSecretBox, parseMasterKey } from '../../domain/crypto/secret-box';
import { ENCODING_ENCRYPTED, LeadPayloadCodec, METADATA_KEY_ID } from '../../codec/lead-payload-codec';
import { createBusiness } from '../support/business';
import { freshDatabase, type TestDatabase } from '../support/database';

const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');
const toPayload = (v: unknown) => defaultPayloadConverter.toPayload(v) as Payload;
const fromPayload = (p: Payload) => defaultPayloadConverter.fromPayload(p);

describe('lead payload codec (AES-256-GCM under per-lead data keys)', () => {
  let database: TestDatabase;
  let businessId = '';
  const masterA = randomBytes(32).toString('hex');
  const masterB = randomBytes(32).toString('hex');
  const codecs: LeadCodec[] = [];
  const make = (opts: Partial<Parameters<typeof createLeadCodec>[0]> = {}) => {
    const c = createLeadCodec({ db: database.appDb, masterKey: masterA, ...opts });
    codecs.push(c);
    return c;
  };

  beforeAll(async () => {
    database = await freshDatabase();
    businessId = (await createBusiness(database.db)).id;
  });
  afterAll(async () => {
    for (const c of codecs) c.close();
    await database?.drop();
  });

  const leadInput = (leadId: string) => ({
    leadId,
    businessId,
    lead: { name: 'Marisol Quenneville', phone: '+12125550199', message: 'leaking tap in the attic' },
  });

  it('round-trips a lead payload, and the ciphertext holds none of the personal data', async () => {
    const { codec } = make();
    const leadId = randomUUID();
    const [encoded] = await codec.encode([toPayload(leadInput(leadId))]);
    expect(text(encoded!.metadata!.encoding)).toBe(ENCODING_ENCRYPTED);
    const keyId = text(encoded!.metadata![METADATA_KEY_ID]);
    expect(keyId).toMatch(/^[0-9a-f-]{36}$/);
    for (const secret of ['Marisol', 'Quenneville', '+12125550199', '2125550199', 'leaking tap', leadId]) {
      expect(Buffer.from(encoded!.data!).includes(Buffer.from(secret))).toBe(false);
    }
    // Another process (the worker): its own store, so the key comes from Postgres.
    const other = make();
    const [decoded] = await other.codec.decode([encoded!]);
    expect(fromPayload(decoded!)).toEqual(leadInput(leadId));
    // The worker learned the lead's key from decoding: its payloads go under the same key.
    const [again] = await other.codec.encode([toPayload({ leadId, text: 'reply' })]);
    expect(text(again!.metadata![METADATA_KEY_ID])).toBe(keyId);
  });

  it('passes payloads without a top-level leadId through unchanged', async () => {
    const { codec } = make();
    const plain = [
      toPayload({ status: 'sent', messageId: 'm-1' }),
      toPayload('text'),
      toPayload([{ leadId: randomUUID() }]),
      toPayload(null),
    ];
    const encoded = await codec.encode(plain);
    expect(encoded).toEqual(plain);
    expect(await codec.decode(encoded)).toEqual(plain);
  });

  it('refuses a tampered ciphertext, and a ciphertext moved under another key id', async () => {
    const { codec } = make();
    const [encoded] = await codec.encode([toPayload(leadInput(randomUUID()))]);
    const flipped = Buffer.from(encoded!.data!);
    flipped[20] = flipped[20]! ^ 0x01;
    await expect(codec.decode([{ ...encoded!, data: flipped }])).rejects.toThrow(/does not open: tampered/);

    const [otherLead] = await codec.encode([toPayload(leadInput(randomUUID()))]);
    const moved = {
      ...encoded!,
      metadata: { ...encoded!.metadata, [METADATA_KEY_ID]: otherLead!.metadata![METADATA_KEY_ID]! },
    };
    await expect(codec.decode([moved])).rejects.toThrow(/does not open/);
  });

  it('records the claims of many pool keys taken between two refills, each for its own lead, and refills the pool', async () => {
    const api = make({ poolSize: 8 });
    await api.keys.refill();
    expect(api.keys.readyKeys).toBe(8);
    const leads = Array.from({ length: 6 }, () => randomUUID());
    const taken = await Promise.all(leads.map((leadId) => api.keys.keyForLead(leadId, businessId)));
    await api.keys.refill();
    const rows = await database.db.leadDataKey.findMany({ where: { id: { in: taken.map((k) => k.id) } } });
    expect(new Map(rows.map((r) => [r.id, [r.leadId, r.businessId, r.assignedAt !== null]]))).toEqual(
      new Map(taken.map((k, i) => [k.id, [leads[i], businessId, true]])),
    );
    expect(api.keys.readyKeys).toBe(8);
    expect(await database.db.leadDataKey.count({ where: { leadId: null, destroyedAt: null } })).toBeGreaterThanOrEqual(
      8,
    );
  });

  it('cannot decode once the lead’s keys are destroyed, in this process at once and in others after their cache', async () => {
    const leadId = randomUUID();
    const api = make();
    const [encoded] = await api.codec.encode([toPayload(leadInput(leadId))]);
    const keyId = text(encoded!.metadata![METADATA_KEY_ID]);
    // The claim is recorded in the row in the background.
    await api.keys.refill();
    expect((await database.db.leadDataKey.findUniqueOrThrow({ where: { id: keyId } })).leadId).toBe(leadId);

    const worker = createLeadCodec({ db: database.appDb, masterKey: masterA, ttlMs: 60_000 });
    codecs.push(worker);
    await worker.codec.decode([encoded!]); // cached in the "other process"

    expect(await destroyLeadDataKeys(database.appDb, leadId)).toBe(1);
    const row = await database.db.leadDataKey.findUniqueOrThrow({ where: { id: keyId } });
    expect(row.wrappedKey).toBeNull();
    expect(row.destroyedAt).not.toBeNull();

    const failure = await api.codec.decode([encoded!]).catch((e: unknown) => e);
    expect(isDataKeyDestroyed(failure)).toBe(true);
    expect((failure as Error).message).toContain(keyId);
    expect((failure as Error).message).not.toMatch(/Marisol|2125550199/);

    // The UI's codec endpoint leaves it encrypted instead of failing the whole history.
    const keep = make({ onDestroyedKey: 'keep' });
    expect(await keep.codec.decode([encoded!])).toEqual([encoded]);

    // Same process as the erasure: the worker store was dropped too (live stores are shared).
    await expect(worker.codec.decode([encoded!])).rejects.toThrow(keyId);
  });

  it('another process forgets a destroyed key when its cache expires', async () => {
    let now = 1_000_000;
    const leadId = randomUUID();
    const writer = make();
    const [encoded] = await writer.codec.encode([toPayload(leadInput(leadId))]);
    await writer.keys.refill();
    const keys = new LeadDataKeyStore({
      db: database.appDb,
      box: createSecretBox({ current: parseMasterKey(masterA) }),
      ttlMs: 300_000,
      now: () => now,
    });
    const reader = new LeadPayloadCodec({ keys });
    expect(fromPayload((await reader.decode([encoded!]))[0]!)).toEqual(leadInput(leadId));
    // Erasure elsewhere: only the database changes.
    await database.db.leadDataKey.updateMany({
      where: { leadId },
      data: { wrappedKey: null, destroyedAt: new Date() },
    });
    expect(fromPayload((await reader.decode([encoded!]))[0]!)).toEqual(leadInput(leadId));
    now += 300_001;
    await expect(reader.decode([encoded!])).rejects.toThrow(/was destroyed/);
    keys.close();
  });

  it('opens keys wrapped under the previous master key after a rotation', async () => {
    const leadId = randomUUID();
    const before = make({ masterKey: masterA });
    const [encoded] = await before.codec.encode([toPayload(leadInput(leadId))]);
    await before.keys.refill();

    const rotated = make({ masterKey: masterB, previousMasterKeys: [masterA] });
    expect(fromPayload((await rotated.codec.decode([encoded!]))[0]!)).toEqual(leadInput(leadId));
    // New keys are wrapped under the new master key.
    const [fresh] = await rotated.codec.encode([toPayload(leadInput(randomUUID()))]);
    const row = await database.db.leadDataKey.findUniqueOrThrow({
      where: { id: text(fresh!.metadata![METADATA_KEY_ID]) },
    });
    const oldRow = await database.db.leadDataKey.findUniqueOrThrow({
      where: { id: text(encoded!.metadata![METADATA_KEY_ID]) },
    });
    expect(row.masterKeyId).not.toBe(oldRow.masterKeyId);

    const withoutOld = make({ masterKey: masterB });
    await expect(withoutOld.codec.decode([encoded!])).rejects.toThrow(/no encryption key with id/);
  });
});
