import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { HIDDEN_CODE_BODY } from '../../db/messages';
import { withTenant } from '../../db/tenant';
import { createLogger } from '../../logging/logger';
import { createKey } from '../../services/api-keys/create-api-key';
import { createBusiness } from '../support/business';
import { freshDatabase, type TestDatabase } from '../support/database';

const MINUTE = 60_000;

/** GET /v1/leads as the inbox reads it: newest activity first, last message, search, filters. */
describe('GET /v1/leads (the inbox)', () => {
  let database: TestDatabase;
  let app: ReturnType<typeof createApp>;
  let businessId = '';
  let key = '';
  let strangerKey = '';
  const t0 = Date.parse('2026-11-02T15:00:00Z');
  const ids: Record<string, string> = {};

  async function lead(businessId: string, label: string, data: Record<string, unknown>, minutesAgo: number) {
    const id = randomUUID();
    ids[label] = id;
    await database.db.lead.create({
      data: {
        id,
        businessId,
        createdAt: new Date(t0 - 1000 * MINUTE),
        lastActivityAt: new Date(t0 - minutesAgo * MINUTE),
        name: 'Someone',
        phone: '+12125550100',
        ...data,
      },
    });
    return id;
  }
  const message = (leadId: string, direction: string, body: string, minutesAgo: number, kind = 'reply') =>
    database.db.message.create({
      data: {
        businessId,
        leadId,
        direction,
        body,
        kind,
        provider: 'local',
        status: 'sent',
        createdAt: new Date(t0 - minutesAgo * MINUTE),
      },
    });

  beforeAll(async () => {
    database = await freshDatabase();
    app = createApp({
      db: database.appDb,
      temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
      log: createLogger({ name: 'test', level: 'silent' }),
    });
    const business = await createBusiness(database.db);
    businessId = business.id;
    key = (await withTenant(database.db, businessId, (tx) => createKey(tx, businessId, 'operator', 'op'))).key;
    const stranger = await createBusiness(database.db);
    strangerKey = (await withTenant(database.db, stranger.id, (tx) => createKey(tx, stranger.id, 'owner', 's'))).key;

    const handed = await lead(
      businessId,
      'handed',
      { name: 'Beatriz Alvarado', phone: '+12125550142', status: 'handed_off', aiPaused: true },
      5,
    );
    await message(handed, 'outbound', 'Hi, this is Luis from Rivera.', 30, 'manual');
    await message(handed, 'inbound', 'Can you come Friday?', 5, 'inbound');
    const quiet = await lead(businessId, 'quiet', { name: 'Corwin Mbeki', phone: '+13105550199', status: 'new' }, 10);
    void quiet;
    const held = await lead(
      businessId,
      'held',
      { name: 'Dmitri Beaulieu', phone: '+12125550777', status: 'conversing', legalHoldAt: new Date(t0) },
      20,
    );
    await message(held, 'outbound', 'Your code', 20, 'verification_code');
    await lead(
      businessId,
      'erased',
      { name: '[erased]', phone: '+12125550142', status: 'erased', erasedAt: new Date(t0) },
      1,
    );
    await lead(businessId, 'percent', { name: '100% Fixit Ltd', phone: '+12125550300', status: 'contacted' }, 40);
    await lead(stranger.id, 'stranger', { name: 'Beatriz Stranger', phone: '+12125550142', status: 'new' }, 0);
  });
  afterAll(async () => {
    await database?.drop();
  });

  const list = (query: Record<string, string>, as = key) =>
    request(app).get('/v1/leads').query(query).set('Authorization', `Bearer ${as}`);
  const idsOf = (res: request.Response) => (res.body.data as Array<{ id: string }>).map((l) => l.id);

  it('lists the newest activity first, each with its last message and what it waits for', async () => {
    const res = await list({});
    expect(res.status).toBe(200);
    expect(idsOf(res)).toEqual([ids.erased, ids.handed, ids.quiet, ids.held, ids.percent]);
    const [erased, handed, quiet, held] = res.body.data;
    expect(handed).toMatchObject({
      name: 'Beatriz Alvarado',
      status: 'handed_off',
      lastActivityAt: new Date(t0 - 5 * MINUTE).toISOString(),
      lastMessage: { direction: 'inbound', body: 'Can you come Friday?', at: new Date(t0 - 5 * MINUTE).toISOString() },
      waitingFor: 'person',
    });
    expect(quiet).toMatchObject({ lastMessage: null, waitingFor: null });
    // A verification code is the person's alone, in the inbox as everywhere.
    expect(held).toMatchObject({ lastMessage: { body: HIDDEN_CODE_BODY }, waitingFor: 'legal_hold_release' });
    expect(erased).toMatchObject({ name: null, phone: null, lastMessage: null, waitingFor: null });
    // The listing is audited like every read of personal data, by the key that listed.
    const audited = await database.db.auditLog.findMany({ where: { businessId, action: 'list', entity: 'lead' } });
    expect(audited).toEqual([expect.objectContaining({ actorRole: 'operator', actorKeyId: expect.any(String) })]);
  });

  it('pages with the cursor over the same order, each lead once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await list({ limit: '2', ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      seen.push(...idsOf(res));
      cursor = res.body.next;
    } while (cursor);
    expect(seen).toEqual([ids.erased, ids.handed, ids.quiet, ids.held, ids.percent]);
  });

  it('searches by part of a name in any case, by a phone in any format or by its digits, never across tenants', async () => {
    expect(idsOf(await list({ q: 'beatriz' }))).toEqual([ids.handed]);
    expect(idsOf(await list({ q: 'MBEK' }))).toEqual([ids.quiet]);
    expect(idsOf(await list({ q: '(212) 555-0142' }))).toEqual([ids.handed]);
    expect(idsOf(await list({ q: '0777' }))).toEqual([ids.held]);
    expect(idsOf(await list({ q: '310' }))).toEqual([ids.quiet]);
    // Wildcards are text: `%` finds the name with a percent sign only.
    expect(idsOf(await list({ q: '%' }))).toEqual([ids.percent]);
    expect(idsOf(await list({ q: 'nobody here' }))).toEqual([]);
    expect(idsOf(await list({ q: 'Beatriz' }, strangerKey))).toEqual([ids.stranger]);
  });

  it('filters by status, combined with a search', async () => {
    expect(idsOf(await list({ status: 'handed_off' }))).toEqual([ids.handed]);
    expect(idsOf(await list({ status: 'new', q: 'beatriz' }))).toEqual([]);
  });

  it('refuses a search too long or with control characters, naming q', async () => {
    const long = await list({ q: 'x'.repeat(101) });
    expect(long.status).toBe(400);
    expect(long.body.error.details[0].field).toBe('query.q');
    const control = await list({ q: 'a\u0007b' });
    expect(control.status).toBe(400);
    expect(control.body.error.details[0].field).toBe('query.q');
  });

  it('says a new lead waits for the subscription while the account is inactive', async () => {
    await database.db.business.update({ where: { id: businessId }, data: { subscriptionStatus: 'past_due' } });
    try {
      const res = await list({ status: 'new' });
      expect(res.body.data).toEqual([expect.objectContaining({ id: ids.quiet, waitingFor: 'subscription' })]);
    } finally {
      await database.db.business.update({ where: { id: businessId }, data: { subscriptionStatus: 'active' } });
    }
  });
});
