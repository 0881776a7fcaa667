import { randomBytes, randomUUID } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { leadCodecFromKeyring } from '../../codec/lead-data-converter';
import { METADATA_KEY_ID } from '../../codec/lead-payload-codec';
import { loadConfig } from '../../config/load-config';
import { storeBusinessSecret } from '../../db/business-secrets';
import { keyringFromConfig } from '../../domain/crypto/keyring';
import { privacyKeysOf, suppressionHmac, suppressionHmacs } from '../../domain/crypto/privacy-keys';
import { keyIdOf } from '../../domain/crypto/secret-box';
import { createLogger } from '../../logging/logger';
import { createTemplateWriter } from '../../providers/ai/template-writer';
import { createLocalOutboxProvider } from '../../providers/sms/local-outbox';
import { createProviders } from '../../worker/providers';
import { startGoogleFake } from '../fakes/google-fake';
import { createBusiness } from '../support/business';
import { freshDatabase, type TestDatabase } from '../support/database';

const log = createLogger({ name: 'test', level: 'silent' });

/**
 * ENCRYPTION_KEY rotated to a new key with the old one in ENCRYPTION_KEYS_PREVIOUS: what
 * the old key sealed or hashed still opens and matches through the one keyring every
 * process builds from its configuration, and what is sealed or hashed now uses the new key.
 */
describe('rotating ENCRYPTION_KEY', () => {
  let database: TestDatabase;
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const google = { CLIENT_ID: 'cid', CLIENT_SECRET: 'csecret' };
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  const configWith = (env: Record<string, string>, apiBaseUrl?: string) =>
    loadConfig({
      GOOGLE_CLIENT_ID: google.CLIENT_ID,
      GOOGLE_CLIENT_SECRET: google.CLIENT_SECRET,
      ...(apiBaseUrl ? { GOOGLE_API_BASE_URL: apiBaseUrl } : {}),
      ...env,
    });
  const before = () => configWith({ ENCRYPTION_KEY: oldKey.toString('hex') });
  const after = (apiBaseUrl?: string) =>
    configWith(
      { ENCRYPTION_KEY: newKey.toString('hex'), ENCRYPTION_KEYS_PREVIOUS: oldKey.toString('base64') },
      apiBaseUrl,
    );

  it('a calendar token sealed before still opens in the worker, and one stored now uses the new key', async () => {
    const business = await createBusiness(database.db);
    const token = '1//refresh-token-sealed-before-rotation';
    await storeBusinessSecret(database.appDb, keyringFromConfig(before())!.box, {
      businessId: business.id,
      kind: 'google_calendar',
      secret: token,
      settings: { calendarId: 'office' },
    });
    const googleFake = await startGoogleFake({ refreshToken: token });
    try {
      const { calendarFor } = createProviders(after(googleFake.url), { db: database.appDb, log });
      const calendar = await calendarFor(business.id);
      expect(calendar?.calendarId).toBe('office');
      await calendar!.provider.freeBusy({
        calendarId: 'office',
        from: new Date(),
        to: new Date(Date.now() + 3_600_000),
      });
      expect(googleFake.requests.some((r) => r.path === '/token')).toBe(true);
    } finally {
      await googleFake.close();
    }

    const rotated = keyringFromConfig(after())!;
    await storeBusinessSecret(database.appDb, rotated.box, {
      businessId: business.id,
      kind: 'google_calendar',
      secret: '1//refresh-token-sealed-after-rotation',
    });
    const row = await database.db.businessSecret.findFirstOrThrow({ where: { businessId: business.id } });
    expect(row.keyId).toBe(keyIdOf(newKey));
    expect(row.keyId).not.toBe(keyIdOf(oldKey));
  });

  it('an erased person’s opt-out hashed before still refuses their number; new hashes use the new key', async () => {
    const business = await createBusiness(database.db);
    const phone = `+1212555${String(1000 + Math.floor(Math.random() * 8999))}`;
    const oldKeys = privacyKeysOf(keyringFromConfig(before())!);
    // What erasure leaves of an opted-out person: the number as a keyed hash.
    const stored = suppressionHmac(oldKeys, business.id, phone);
    await database.db.suppression.create({ data: { businessId: business.id, phone: stored, reason: 'stop' } });

    // The same number captured again after the rotation: the worker's send check refuses it.
    const { privacyKeys } = createProviders(after(), { db: database.appDb, log });
    const leadId = randomUUID();
    await database.db.lead.create({ data: { id: leadId, businessId: business.id, name: 'Pat Doe', phone } });
    const activities = createActivities({
      db: database.appDb,
      sms: createLocalOutboxProvider(),
      ai: null,
      templates: createTemplateWriter(),
      calendarFor: async () => null,
      log,
      privacyKeys,
    });
    const send = () =>
      activities.sendLeadSms({
        idempotencyKey: `rotation-${leadId}`,
        businessId: business.id,
        leadId,
        kind: 'first_reply',
        purpose: 'first_reply',
        at: new Date().toISOString(),
      });
    expect(await send()).toEqual({ status: 'suppressed', messageId: null });
    expect(await database.db.message.count({ where: { leadId } })).toBe(0);

    // New hashes use the new key; the old one is still among those matched.
    const hashes = suppressionHmacs(privacyKeys!, business.id, phone);
    expect(hashes[0]).toBe(suppressionHmac(privacyKeys!, business.id, phone));
    expect(hashes[0]).not.toBe(stored);
    expect(hashes).toContain(stored);
    // Without the previous key the old hash would no longer match: the rotation test tests something.
    const newOnly = privacyKeysOf(keyringFromConfig({ ENCRYPTION_KEY: newKey.toString('hex') })!);
    expect(suppressionHmacs(newOnly, business.id, phone)).not.toContain(stored);
  });

  it('workflow payloads encrypted before still decode; new data keys are wrapped under the new key', async () => {
    const business = await createBusiness(database.db);
    const payload = (leadId: string) =>
      defaultPayloadConverter.toPayload({ leadId, businessId: business.id, lead: { name: 'Pat Doe' } }) as Payload;
    const old = leadCodecFromKeyring(keyringFromConfig(before()), database.appDb, { log })!;
    const rotated = leadCodecFromKeyring(keyringFromConfig(after()), database.appDb, { log })!;
    try {
      const leadId = randomUUID();
      const [encoded] = await old.codec.encode([payload(leadId)]);
      const [decoded] = await rotated.codec.decode([encoded!]);
      expect(defaultPayloadConverter.fromPayload(decoded!)).toMatchObject({ leadId, lead: { name: 'Pat Doe' } });

      const [fresh] = await rotated.codec.encode([payload(randomUUID())]);
      const keyRow = await database.db.leadDataKey.findUniqueOrThrow({
        where: { id: Buffer.from(fresh!.metadata![METADATA_KEY_ID]!).toString('utf8') },
      });
      expect(keyRow.masterKeyId).toBe(keyIdOf(newKey));
    } finally {
      old.close();
      rotated.close();
    }
  });
});
