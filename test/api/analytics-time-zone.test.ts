import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { withTenant } from '../../db/tenant';
import { createLogger } from '../../logging/logger';
import { createKey } from '../../services/api-keys/create-api-key';
import { createBusiness } from '../support/business';
import { freshDatabase, type TestDatabase } from '../support/database';

/** GET /v1/analytics counts days in the business's zone, or in the one `tz` names. */
describe('GET /v1/analytics time zones', () => {
  let database: TestDatabase;
  let app: ReturnType<typeof createApp>;
  let key = '';
  const NOW = new Date('2026-11-10T06:30:00Z');

  beforeAll(async () => {
    database = await freshDatabase();
    app = createApp({
      db: database.appDb,
      temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
      log: createLogger({ name: 'test', level: 'silent' }),
      now: () => NOW,
    });
    const business = await createBusiness(database.db, { timeZone: 'America/Los_Angeles' });
    key = (await withTenant(database.db, business.id, (tx) => createKey(tx, business.id, 'owner', 'o'))).key;
    // 22:30 on 9 Nov in Los Angeles, 06:30 on 10 Nov in UTC, 15:30 on 10 Nov in Tokyo.
    // 12:00 on 10 Nov in Los Angeles, 20:00 on 10 Nov in UTC, 05:00 on 11 Nov in Tokyo.
    // 23:30 on 1 Nov in Los Angeles (an hour after the clocks went back to UTC-8), 07:30 on 2 Nov in UTC.
    for (const at of ['2026-11-10T06:30:00Z', '2026-11-10T20:00:00Z', '2026-11-02T07:30:00Z'])
      await database.db.lead.create({
        data: {
          id: randomUUID(),
          businessId: business.id,
          name: 'Someone',
          phone: '+12135550100',
          createdAt: new Date(at),
          lastActivityAt: new Date(at),
        },
      });
  });
  afterAll(async () => {
    await database?.drop();
  });

  const analytics = (query: Record<string, string>) =>
    request(app).get('/v1/analytics').query(query).set('Authorization', `Bearer ${key}`);
  const byDay = (res: request.Response) =>
    Object.fromEntries((res.body.byDay as Array<{ day: string; leads: number }>).map((d) => [d.day, d.leads] as const));

  it('counts days in the business’s zone by default, today included', async () => {
    const res = await analytics({ from: '2026-11-09', to: '2026-11-10' });
    expect(res.status).toBe(200);
    expect(res.body.timeZone).toBe('America/Los_Angeles');
    expect(byDay(res)).toEqual({ '2026-11-09': 1, '2026-11-10': 1 });
    expect(res.body.totals.leads).toBe(2);
    // It is still 9 November in Los Angeles.
    expect((await analytics({})).body.to).toBe('2026-11-09');
  });

  it('counts days in the zone tz names', async () => {
    const utc = await analytics({ from: '2026-11-09', to: '2026-11-10', tz: 'UTC' });
    expect(utc.status).toBe(200);
    expect(byDay(utc)).toEqual({ '2026-11-10': 2 });
    const tokyo = await analytics({ from: '2026-11-09', to: '2026-11-10', tz: 'Asia/Tokyo' });
    expect(tokyo.body).toMatchObject({ timeZone: 'Asia/Tokyo', totals: { leads: 1 } });
    expect(byDay(tokyo)).toEqual({ '2026-11-10': 1 });
    expect((await analytics({ tz: 'UTC' })).body.to).toBe('2026-11-10');
  });

  it('follows the zone’s clock change: the day the clocks go back has its 25 hours', async () => {
    const la = await analytics({ from: '2026-11-01', to: '2026-11-02' });
    expect(byDay(la)).toEqual({ '2026-11-01': 1 });
    const utc = await analytics({ from: '2026-11-01', to: '2026-11-02', tz: 'UTC' });
    expect(byDay(utc)).toEqual({ '2026-11-02': 1 });
  });

  it('refuses an unknown zone with a 400 naming tz', async () => {
    for (const tz of ['Mars/Olympus_Mons', 'x'.repeat(300), '']) {
      const res = await analytics({ tz });
      expect(res.status, tz).toBe(400);
      expect(res.body.error.details[0].field).toBe('query.tz');
    }
  });
});
