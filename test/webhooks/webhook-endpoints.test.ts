import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { Webhook } from 'standardwebhooks';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createWebhookActivities, WEBHOOK_FAILURES } from '../../activities/webhooks/webhook-activities';
import { createApp } from '../../api/app';
import { withComplianceRole, withTenant } from '../../db/tenant';
import { deleteExpiredWebhookDeliveriesAllTenants } from '../../db/webhooks';
import { derivePrivacyKeys } from '../../domain/crypto/privacy-keys';
import { createLogger } from '../../logging/logger';
import { createTemplateWriter } from '../../providers/ai/template-writer';
import { createLocalOutboxProvider } from '../../providers/sms/local-outbox';
import { createKey } from '../../services/api-keys/create-api-key';
import { createWebhookEndpoint } from '../../services/webhooks/create-webhook-endpoint';
import { enqueueWebhookEvent } from '../../services/webhooks/enqueue-webhook-event';
import { WEBHOOK_EVENT_TYPES } from '../../services/webhooks/webhook-events';
import { createLeadWorker } from '../../worker/create-worker';
import { createBusiness } from '../support/business';
import { freshDatabase, type TestDatabase } from '../support/database';
import { workflowBundle } from '../support/temporal';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A local receiver: answers each request with the next status of `plan` (then 200). */
function receiver() {
  const received: Received[] = [];
  let plan: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = plan.shift() ?? 200;
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered: status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'receiver down');
    });
  });
  return {
    received,
    failNext: (...statuses: number[]) => (plan = statuses),
    start: () =>
      new Promise<string>((r) =>
        server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`)),
      ),
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function until<T>(fn: () => Promise<T | undefined | null | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const log = createLogger({ name: 'test', level: 'silent' });
const keys = derivePrivacyKeys(randomBytes(32));
const FAST = { initialIntervalMs: 200, maximumIntervalMs: 400, giveUpAfterMs: 60_000 };

let database: TestDatabase;
let worker: Worker;
let running: Promise<void>;
let client: Client;
let connection: Connection;
let nativeConnection: NativeConnection;
let app: ReturnType<typeof createApp>;
let guardedApp: ReturnType<typeof createApp>;
let taskQueue: string;
const hook = receiver();
let hookUrl: string;
let businessId: string;
let owner: string;
let operator: string;
let otherOwner: string;

const as = (key: string) => ({ Authorization: `Bearer ${key}` });

beforeAll(async () => {
  database = await freshDatabase();
  hookUrl = await hook.start();
  const address = inject('temporalAddress');
  const namespace = inject('temporalNamespace');
  nativeConnection = await NativeConnection.connect({ address });
  connection = await Connection.connect({ address });
  taskQueue = `webhooks-${randomUUID()}`;
  worker = await createLeadWorker({
    connection: nativeConnection,
    namespace,
    taskQueue,
    deps: {
      db: database.appDb,
      sms: createLocalOutboxProvider(),
      ai: null,
      templates: createTemplateWriter(),
      calendarFor: async () => null,
      log,
      privacyKeys: keys,
      webhookAllowPrivate: true,
    },
    workflowBundle: await workflowBundle(),
  });
  running = worker.run();
  client = new Client({ connection, namespace });
  const common = { db: database.appDb, temporal: client, log, taskQueue, privacyKeys: keys };
  app = createApp({ ...common, settings: { localSms: true, widgetDemo: false, webhookAllowPrivate: true } });
  guardedApp = createApp({ ...common, settings: { localSms: true, widgetDemo: false, webhookAllowPrivate: false } });

  const business = await createBusiness(database.db);
  const other = await createBusiness(database.db);
  businessId = business.id;
  const key = (b: string, role: 'owner' | 'operator') =>
    withTenant(database.db, b, (tx) => createKey(tx, b, role, role)).then((k) => k.key);
  owner = await key(business.id, 'owner');
  operator = await key(business.id, 'operator');
  otherOwner = await key(other.id, 'owner');
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await hook.stop();
  await connection?.close();
  await nativeConnection?.close();
  await database?.drop();
});

describe('outbound webhooks', () => {
  let endpointId: string;
  let secret: string;

  it('creates an endpoint and shows its secret once', async () => {
    const res = await request(app)
      .post('/v1/webhook-endpoints')
      .set(as(owner))
      .send({ url: hookUrl, events: ['lead.handoff_requested', 'lead.booked'] })
      .expect(201);
    expect(res.body).toMatchObject({
      url: hookUrl,
      events: ['lead.handoff_requested', 'lead.booked'],
      status: 'enabled',
    });
    expect(res.body.secret).toMatch(/^whsec_/);
    endpointId = res.body.id;
    secret = res.body.secret;

    const list = await request(app).get('/v1/webhook-endpoints').set(as(operator)).expect(200);
    expect(list.body.data.map((e: { id: string }) => e.id)).toEqual([endpointId]);
    expect(JSON.stringify(list.body)).not.toContain('whsec_');
    expect(list.body.data[0]).not.toHaveProperty('secret');

    const row = await database.db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } });
    expect(JSON.stringify(row)).not.toContain(secret.slice(6));
  });

  it('refuses operators writing, and bad input naming the field', async () => {
    await request(app)
      .post('/v1/webhook-endpoints')
      .set(as(operator))
      .send({ url: hookUrl, events: ['lead.booked'] })
      .expect(403);
    const bad = await request(app)
      .post('/v1/webhook-endpoints')
      .set(as(owner))
      .send({ url: hookUrl, events: ['lead.exploded'] })
      .expect(400);
    expect(bad.body.error.message).toMatch(/^events/);
  });

  it('refuses at creation a URL resolving to loopback or the metadata address (guard on)', async () => {
    for (const url of [
      'https://localhost:8443/hook',
      'https://127.0.0.1/hook',
      'https://169.254.169.254/latest',
      'http://example.com/hook',
    ]) {
      const res = await request(guardedApp)
        .post('/v1/webhook-endpoints')
        .set(as(owner))
        .send({ url, events: ['lead.booked'] })
        .expect(400);
      expect(res.body.error.details).toEqual([{ field: 'url', reason: expect.any(String) }]);
      expect(res.body.error.message).toMatch(/^url: /);
    }
  });

  it('delivers a signed event, retrying a failing receiver: one accepted delivery, two logged failures', async () => {
    hook.failNext(500, 503);
    const eventId = `handoff-${randomUUID()}`;
    const data = { leadId: randomUUID() };
    const { deliveryIds } = await enqueueWebhookEvent(
      { db: database.appDb, temporal: client, taskQueue, backoff: FAST },
      { businessId, type: 'lead.handoff_requested', eventId, data },
    );
    expect(deliveryIds).toHaveLength(1);
    // The caller retried (a crash after enqueueing): still one delivery.
    await enqueueWebhookEvent(
      { db: database.appDb, temporal: client, taskQueue, backoff: FAST },
      { businessId, type: 'lead.handoff_requested', eventId, data },
    );
    // Not subscribed: nothing to deliver.
    expect(
      (
        await enqueueWebhookEvent(
          { db: database.appDb, temporal: client, taskQueue },
          { businessId, type: 'invoice.paid', eventId: randomUUID(), data: {} },
        )
      ).deliveryIds,
    ).toEqual([]);

    const delivery = await until(async () => {
      const d = await database.db.webhookDelivery.findUniqueOrThrow({ where: { id: deliveryIds[0] } });
      return d.status === 'succeeded' && d;
    });
    expect(hook.received.map((r) => r.answered)).toEqual([500, 503, 200]);
    const accepted = hook.received.filter((r) => r.answered === 200);
    expect(accepted).toHaveLength(1);
    // Verified by the library's own verifier; the body carries ids and states only.
    const payload = new Webhook(secret).verify(accepted[0]!.body, accepted[0]!.headers as Record<string, string>);
    expect(payload).toMatchObject({ type: 'lead.handoff_requested', data });
    expect(new Set(hook.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([delivery.webhookId]));
    expect(delivery.attempts).toBe(3);
    const attempts = delivery.attemptLog as Array<{ ok: boolean; responseCode: number }>;
    expect(attempts.filter((a) => !a.ok).map((a) => a.responseCode)).toEqual([500, 503]);
    expect(attempts.filter((a) => a.ok)).toHaveLength(1);

    const listed = await request(app)
      .get(`/v1/webhook-endpoints/${endpointId}/deliveries`)
      .set(as(operator))
      .expect(200);
    expect(listed.body.data[0]).toMatchObject({ id: delivery.id, status: 'succeeded', attempts: 3, responseCode: 200 });
    expect(listed.body.data[0].attemptLog).toHaveLength(3);
  });

  it('replays a delivery with the same webhook-id', async () => {
    const [delivery] = await database.db.webhookDelivery.findMany({ where: { endpointId, status: 'succeeded' } });
    const before = hook.received.length;
    await request(app)
      .post(`/v1/webhook-endpoints/${endpointId}/deliveries/${delivery!.id}/replay`)
      .set(as(owner))
      .expect(202);
    await until(async () => hook.received.length > before);
    const replayed = hook.received.at(-1)!;
    expect(replayed.headers['webhook-id']).toBe(delivery!.webhookId);
    expect(replayed.body).toBe(delivery!.payload);
    expect(() => new Webhook(secret).verify(replayed.body, replayed.headers as Record<string, string>)).not.toThrow();
  });

  it('pings, and after a rotation signs with both secrets for the overlap', async () => {
    const rotated = await request(app)
      .post(`/v1/webhook-endpoints/${endpointId}/rotate-secret`)
      .set(as(owner))
      .expect(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(secret);
    expect(rotated.body.previousSecretExpiresAt).not.toBeNull();

    const before = hook.received.length;
    const ping = await request(app).post(`/v1/webhook-endpoints/${endpointId}/ping`).set(as(owner)).expect(202);
    expect(ping.body.eventType).toBe('webhook.ping');
    await until(async () => hook.received.length > before);
    const got = hook.received.at(-1)!;
    expect(String(got.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const s of [secret, rotated.body.secret as string])
      expect(new Webhook(s).verify(got.body, got.headers as Record<string, string>)).toMatchObject({
        type: 'webhook.ping',
        data: { endpointId },
      });
  });

  it("answers 404 for another tenant's endpoint", async () => {
    const [delivery] = await database.db.webhookDelivery.findMany({ where: { endpointId } });
    await request(app).get(`/v1/webhook-endpoints/${endpointId}/deliveries`).set(as(otherOwner)).expect(404);
    await request(app).post(`/v1/webhook-endpoints/${endpointId}/ping`).set(as(otherOwner)).expect(404);
    await request(app).post(`/v1/webhook-endpoints/${endpointId}/rotate-secret`).set(as(otherOwner)).expect(404);
    await request(app)
      .post(`/v1/webhook-endpoints/${endpointId}/deliveries/${delivery!.id}/replay`)
      .set(as(otherOwner))
      .expect(404);
    await request(app).delete(`/v1/webhook-endpoints/${endpointId}`).set(as(otherOwner)).expect(404);
    expect((await request(app).get('/v1/webhook-endpoints').set(as(otherOwner)).expect(200)).body.data).toEqual([]);
  });

  it('refuses at delivery an endpoint resolving to loopback or the metadata address (guard on)', async () => {
    const actor = { keyId: randomUUID(), businessId, role: 'owner', ip: '127.0.0.1' };
    const guarded = createWebhookActivities({ db: database.appDb, keyring: keys.keyring, log, allowPrivate: false });
    const port = Number(new URL(hookUrl).port);
    for (const url of [
      `https://localhost:${port}/hook`,
      `https://127.0.0.1:${port}/hook`,
      'https://169.254.169.254/latest',
    ]) {
      // Accepted while the guard was off (as a name re-pointed after creation would be).
      const endpoint = await createWebhookEndpoint(
        { db: database.appDb, temporal: client, keyring: keys.keyring, allowPrivate: true },
        { actor, url, events: ['lead.booked'] },
      );
      const eventId = randomUUID();
      const delivery = await database.db.webhookDelivery.create({
        data: {
          businessId,
          endpointId: endpoint.id,
          eventId,
          eventType: 'lead.booked',
          webhookId: `msg_${eventId}`,
          payload: '{}',
        },
      });
      const before = hook.received.length;
      const err = await guarded
        .deliverWebhook({ businessId, endpointId: endpoint.id, deliveryId: delivery.id })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ type: WEBHOOK_FAILURES.refused, nonRetryable: true });
      expect(hook.received.length).toBe(before);
      const row = await database.db.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
      expect(row).toMatchObject({
        attempts: 1,
        responseCode: null,
        lastError: expect.stringMatching(/forbidden address/),
      });
    }
  });

  it('turns off an endpoint failing for 3 days and tells its owner once', async () => {
    const actor = { keyId: randomUUID(), businessId, role: 'owner', ip: '127.0.0.1' };
    // Nothing listens on port 1: every attempt is refused.
    const endpoint = await createWebhookEndpoint(
      { db: database.appDb, temporal: client, keyring: keys.keyring, allowPrivate: true },
      { actor, url: 'https://127.0.0.1:1/hook', events: ['lead.cancelled'] },
    );
    await database.db.webhookEndpoint.update({
      where: { id: endpoint.id },
      data: { failingSince: new Date(Date.now() - 4 * 24 * 60 * 60_000) },
    });
    const giveUpSoon = { initialIntervalMs: 200, maximumIntervalMs: 400, giveUpAfterMs: 2_000 };
    const { deliveryIds } = await enqueueWebhookEvent(
      { db: database.appDb, temporal: client, taskQueue, backoff: giveUpSoon },
      { businessId, type: 'lead.cancelled', eventId: `cancel-${randomUUID()}`, data: { leadId: randomUUID() } },
    );
    expect(deliveryIds).toHaveLength(1);
    const alerts = await until(async () => {
      const rows = await database.db.alert.findMany({ where: { businessId, kind: 'webhook_endpoint_disabled' } });
      return rows.length > 0 && rows;
    });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.detail).toMatchObject({ endpointId: endpoint.id });
    const row = await database.db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(row.disabledAt).not.toBeNull();
    expect(await database.db.webhookDelivery.findUniqueOrThrow({ where: { id: deliveryIds[0] } })).toMatchObject({
      status: 'failed',
    });
  });

  it('keeps delivery logs 30 days, except under a legal hold', async () => {
    const held = await createBusiness(database.db, { legalHoldAt: new Date(), legalHoldReason: 'litigation' });
    const actor = { keyId: randomUUID(), businessId, role: 'owner', ip: '127.0.0.1' };
    const deps = { db: database.appDb, temporal: client, keyring: keys.keyring, allowPrivate: true };
    const mine = await createWebhookEndpoint(deps, { actor, url: hookUrl, events: ['job.updated'] });
    const theirs = await createWebhookEndpoint(deps, {
      actor: { ...actor, businessId: held.id },
      url: hookUrl,
      events: ['job.updated'],
    });
    const day = 86_400_000;
    const row = (b: string, endpointId: string, ageDays: number) => {
      const eventId = randomUUID();
      return database.db.webhookDelivery.create({
        data: {
          businessId: b,
          endpointId,
          eventId,
          eventType: 'job.updated',
          webhookId: `msg_${eventId}`,
          payload: '{}',
          status: 'succeeded',
          createdAt: new Date(Date.now() - ageDays * day),
        },
      });
    };
    const old = await row(businessId, mine.id, 31);
    const recent = await row(businessId, mine.id, 29);
    const heldOld = await row(held.id, theirs.id, 31);
    const deleted = await withComplianceRole(database.appDb, (tx) =>
      deleteExpiredWebhookDeliveriesAllTenants(tx, new Date()),
    );
    expect(deleted).toBe(1);
    const left = await database.db.webhookDelivery.findMany({ where: { id: { in: [old.id, recent.id, heldOld.id] } } });
    expect(left.map((d) => d.id).sort()).toEqual([recent.id, heldOld.id].sort());
  });

  it('documents the event catalogue in the OpenAPI 3.1 webhooks section', async () => {
    const doc = (await request(app).get('/openapi.json').expect(200)).body as {
      openapi: string;
      webhooks: Record<string, { post: { requestBody: { content: Record<string, unknown> } } }>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.webhooks).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
    expect(doc.webhooks['lead.booked']!.post.requestBody.content).toHaveProperty('application/json');
  });

  it('deletes an endpoint with its deliveries', async () => {
    await request(app).delete(`/v1/webhook-endpoints/${endpointId}`).set(as(owner)).expect(204);
    expect(await database.db.webhookDelivery.count({ where: { endpointId } })).toBe(0);
    await request(app).get(`/v1/webhook-endpoints/${endpointId}/deliveries`).set(as(owner)).expect(404);
  });
});
