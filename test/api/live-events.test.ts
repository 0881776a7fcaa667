import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { createPrisma, type Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { createLogger } from '../../logging/logger';
import { createKey } from '../../services/api-keys/create-api-key';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

const CONSENT = 'I agree to receive texts.';

interface Received {
  event: string;
  data: Record<string, unknown>;
  at: number;
}

/** A client of GET /v1/events that keeps what it received, as a browser's EventSource would. */
async function openStream(baseUrl: string, key: string) {
  const controller = new AbortController();
  const res = await fetch(`${baseUrl}/v1/events`, {
    headers: { Authorization: `Bearer ${key}` },
    signal: controller.signal,
  });
  const events: Received[] = [];
  let raw = '';
  const reading = (async () => {
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        const text = decoder.decode(chunk as Uint8Array, { stream: true });
        raw += text;
        buffer += text;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data), at: Date.now() });
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    res,
    events,
    raw: () => raw,
    async close() {
      controller.abort();
      await reading;
    },
  };
}

describe('GET /v1/events', () => {
  let stack: Stack;
  let server: Server;
  let baseUrl = '';
  let other: ReturnType<typeof createApp>;
  let otherDb: Db;
  let otherServer: Server;
  let otherUrl = '';
  let businessId = '';
  let ownerKey = '';
  let complianceKey = '';
  let strangerBusinessId = '';
  let strangerKey = '';

  const listen = (app: ReturnType<typeof createApp>) =>
    new Promise<{ server: Server; url: string }>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () =>
        resolve({ server: s, url: `http://127.0.0.1:${(s.address() as AddressInfo).port}` }),
      );
    });

  beforeAll(async () => {
    stack = await startStack({ app: { settings: { localSms: true, widgetDemo: false, liveStreamsPerBusiness: 3 } } });
    const db = stack.database.db;
    const business = await createBusiness(db);
    businessId = business.id;
    ownerKey = (await withTenant(db, businessId, (tx) => createKey(tx, businessId, 'owner', 'o'))).key;
    complianceKey = (await withTenant(db, businessId, (tx) => createKey(tx, businessId, 'compliance', 'c'))).key;
    const stranger = await createBusiness(db);
    strangerBusinessId = stranger.id;
    strangerKey = (await withTenant(db, stranger.id, (tx) => createKey(tx, stranger.id, 'owner', 's'))).key;
    ({ server, url: baseUrl } = await listen(stack.app));
    // A second API replica: its own process state and its own pool on the same database.
    otherDb = createPrisma({ databaseUrl: stack.database.appUrl, max: 2 });
    other = createApp({
      db: otherDb,
      temporal: stack.client,
      log: createLogger({ name: 'test', level: 'silent' }),
      taskQueue: stack.taskQueue,
      leadCodec: stack.app.deps.leadCodec,
    });
    ({ server: otherServer, url: otherUrl } = await listen(other));
  });
  afterAll(async () => {
    await stack?.app.deps.liveEvents.close();
    await other?.deps.liveEvents.close();
    server?.closeAllConnections();
    otherServer?.closeAllConnections();
    server?.close();
    otherServer?.close();
    await otherDb?.$disconnect();
    await stack?.close();
  });

  const capture = (app: ReturnType<typeof createApp>, name: string, phone: string) =>
    request(app)
      .post('/v1/leads')
      .set('Authorization', `Bearer ${ownerKey}`)
      .send({ name, phone, consent: { text: CONSENT } });

  it('streams a captured lead within 2 s, by id only, and an inbound text within 2 s', async () => {
    const stream = await openStream(baseUrl, ownerKey);
    try {
      expect(stream.res.status).toBe(200);
      expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const phone = await daytimePhone(31);
      const accepted = await capture(stack.app, 'Marisol Quintero', phone);
      expect(accepted.status).toBe(202);
      const answeredAt = Date.now();
      const leadId = accepted.body.id as string;
      await expect
        .poll(() => stream.events.find((e) => e.event === 'lead' && e.data.leadId === leadId), { timeout: 2000 })
        .toMatchObject({ data: { leadId, kind: 'captured' } });
      const captured = stream.events.find((e) => e.data.leadId === leadId)!;
      expect(captured.at - answeredAt).toBeLessThan(2000);

      const inbound = await request(stack.app)
        .post('/v1/dev/inbound-sms')
        .set('Authorization', `Bearer ${ownerKey}`)
        .send({ from: phone, body: 'Can someone look at my water heater on Friday?' });
      expect(inbound.status).toBe(202);
      const textedAt = Date.now();
      await expect
        .poll(
          () => stream.events.find((e) => e.data.leadId === leadId && e.data.kind === 'message' && e.at >= textedAt),
          { timeout: 2000 },
        )
        .toBeDefined();

      // Ids and kinds only: nothing of the person, in any event of the stream.
      for (const e of stream.events)
        expect(Object.keys(e.data).sort()).toEqual(
          e.event === 'lead' ? ['kind', 'leadId'] : ['alertId', 'kind', 'leadId'],
        );
      expect(stream.raw()).not.toContain('Marisol');
      expect(stream.raw()).not.toContain(phone);
      expect(stream.raw()).not.toContain('water heater');
    } finally {
      await stream.close();
    }
  });

  it('reaches a stream on another API replica, and never another tenant’s stream', async () => {
    const onOther = await openStream(otherUrl, ownerKey);
    const stranger = await openStream(baseUrl, strangerKey);
    try {
      expect(onOther.res.status).toBe(200);
      expect(stranger.res.status).toBe(200);
      const accepted = await capture(stack.app, 'Teodoro Banks', await daytimePhone(32));
      expect(accepted.status).toBe(202);
      const leadId = accepted.body.id as string;
      await expect
        .poll(() => onOther.events.find((e) => e.data.leadId === leadId), { timeout: 2000 })
        .toMatchObject({ event: 'lead', data: { kind: 'captured' } });
      // Written through the other replica, read on this one too.
      const local = await openStream(baseUrl, ownerKey);
      try {
        const second = await capture(other, 'Ines Okafor', await daytimePhone(33));
        expect(second.status).toBe(202);
        await expect
          .poll(() => local.events.find((e) => e.data.leadId === second.body.id), { timeout: 2000 })
          .toBeDefined();
      } finally {
        await local.close();
      }
      // By now the owner's streams have had several events; the stranger's had none.
      await new Promise((r) => setTimeout(r, 300));
      expect(stranger.events).toEqual([]);
    } finally {
      await onOther.close();
      await stranger.close();
    }
  });

  it('sends alerts, nothing for a rolled-back write, and only privacy alerts to the compliance role', async () => {
    const owner = await openStream(baseUrl, ownerKey);
    const compliance = await openStream(baseUrl, complianceKey);
    const db = stack.database.db;
    const insertAlert = (kind: string) =>
      db.$executeRaw`INSERT INTO alerts (id, business_id, event_id, kind, reason)
        VALUES (${randomUUID()}::uuid, ${businessId}::uuid, ${randomUUID()}, ${kind}, 'test')`;
    try {
      const rolledBack = randomUUID();
      await db
        .$transaction(async (tx) => {
          await tx.$executeRaw`INSERT INTO alerts (id, business_id, event_id, kind, reason)
            VALUES (${rolledBack}::uuid, ${businessId}::uuid, ${randomUUID()}, 'booked', 'test')`;
          throw new Error('roll back');
        })
        .catch(() => {});
      await insertAlert('booked');
      await insertAlert('privacy_due_7d');
      await expect.poll(() => owner.events.filter((e) => e.event === 'alert').length, { timeout: 2000 }).toBe(2);
      // The leads of the tests before may still be texting: only the alerts count here.
      const alerts = owner.events.filter((e) => e.event === 'alert');
      expect(alerts.map((e) => e.data.alertId)).not.toContain(rolledBack);
      expect(alerts.map((e) => e.data.kind)).toEqual(['booked', 'privacy_due_7d']);
      expect(alerts[0]!.data).toEqual({ alertId: expect.any(String), kind: 'booked', leadId: null });
      await expect.poll(() => compliance.events.length, { timeout: 2000 }).toBe(1);
      expect(compliance.events[0]).toMatchObject({ event: 'alert', data: { kind: 'privacy_due_7d' } });
    } finally {
      await owner.close();
      await compliance.close();
    }
  });

  it('caps the streams of one business, and frees a stream and the listening channel when its client goes', async () => {
    const hub = stack.app.deps.liveEvents;
    await expect.poll(() => hub.streams(businessId), { timeout: 2000 }).toBe(0);
    const streams = await Promise.all([1, 2, 3].map(() => openStream(baseUrl, ownerKey)));
    expect(streams.map((s) => s.res.status)).toEqual([200, 200, 200]);
    const refused = await request(stack.app).get('/v1/events').set('Authorization', `Bearer ${ownerKey}`);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    // Another business has its own allowance.
    const stranger = await openStream(baseUrl, strangerKey);
    expect(stranger.res.status).toBe(200);
    await stranger.close();

    await streams[0]!.close();
    await expect.poll(() => hub.streams(businessId), { timeout: 2000 }).toBe(2);
    const again = await openStream(baseUrl, ownerKey);
    expect(again.res.status).toBe(200);
    await Promise.all([again, ...streams.slice(1)].map((s) => s.close()));
    await expect.poll(() => hub.streams(businessId), { timeout: 2000 }).toBe(0);
    // One process, no streams: no connection left listening.
    await expect
      .poll(
        async () =>
          (
            await stack.database.db.$queryRaw<Array<{ n: bigint }>>`
              SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'`
          )[0]!.n,
        { timeout: 3000 },
      )
      .toBe(0n);
  });

  it('refuses a request without credentials and a key of a role that may not listen', async () => {
    expect((await request(stack.app).get('/v1/events')).status).toBe(401);
    const widgetKey = (
      await withTenant(stack.database.db, businessId, (tx) => createKey(tx, businessId, 'widget', 'w'))
    ).key;
    expect((await request(stack.app).get('/v1/events').set('Authorization', `Bearer ${widgetKey}`)).status).toBe(403);
    expect(strangerBusinessId).not.toBe(businessId);
  });
});
