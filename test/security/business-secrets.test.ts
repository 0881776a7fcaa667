import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config';
import { loadBusinessSecret, storeBusinessSecret } from '../../db/business-secrets';
import { createSecretBox, SecretBoxError } from '../../domain/crypto/secret-box';
import { createLogger } from '../../logging/logger';
import { createProviders } from '../../worker/providers';
import { startGoogleFake } from '../fakes/google-fake';
import { createBusiness } from '../support/business';
import { freshDatabase, type TestDatabase } from '../support/database';

describe('secrets at rest', () => {
  let database: TestDatabase;
  const key = randomBytes(32);
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('stores a calendar token sealed, opens it with the right key only, and the worker uses it', async () => {
    const business = await createBusiness(database.db);
    const google = await startGoogleFake({ refreshToken: '1//refresh-token-of-rivera' });
    try {
      const box = createSecretBox({ current: key });
      await storeBusinessSecret(database.appDb, box, {
        businessId: business.id,
        kind: 'google_calendar',
        secret: '1//refresh-token-of-rivera',
        settings: { calendarId: 'office' },
      });
      const raw = await database.db.businessSecret.findFirstOrThrow({ where: { businessId: business.id } });
      expect(JSON.stringify(raw)).not.toContain('refresh-token-of-rivera');
      expect(raw.keyId).toBe(box.currentKeyId);
      expect(
        await loadBusinessSecret(database.appDb, box, { businessId: business.id, kind: 'google_calendar' }),
      ).toEqual({ secret: '1//refresh-token-of-rivera', settings: { calendarId: 'office' } });
      await expect(
        loadBusinessSecret(database.appDb, createSecretBox({ current: randomBytes(32) }), {
          businessId: business.id,
          kind: 'google_calendar',
        }),
      ).rejects.toThrow(SecretBoxError);
      // A sealed value copied onto another business does not open there.
      const other = await createBusiness(database.db);
      await database.db.businessSecret.create({
        data: { businessId: other.id, kind: 'google_calendar', keyId: raw.keyId, ciphertext: raw.ciphertext },
      });
      await expect(
        loadBusinessSecret(database.appDb, box, { businessId: other.id, kind: 'google_calendar' }),
      ).rejects.toThrow(/does not open/);

      // The worker's calendar resolver opens it and the real Google adapter uses it.
      const config = loadConfig({
        ENCRYPTION_KEY: key.toString('hex'),
        GOOGLE_CLIENT_ID: 'cid',
        GOOGLE_CLIENT_SECRET: 'csecret',
        GOOGLE_API_BASE_URL: google.url,
      });
      const { calendarFor } = createProviders(config, {
        db: database.appDb,
        log: createLogger({ name: 'test', level: 'silent' }),
      });
      const calendar = await calendarFor(business.id);
      expect(calendar?.calendarId).toBe('office');
      const busy = await calendar!.provider.freeBusy({
        calendarId: 'office',
        from: new Date(),
        to: new Date(Date.now() + 86_400_000),
      });
      expect(busy).toEqual([]);
      expect(google.requests.some((r) => r.path === '/token')).toBe(true);
      expect(await calendarFor(randomUUID())).toBeNull();
    } finally {
      await google.close();
    }
  });
});
