import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { generateApiKey } from '../../api/auth/api-keys';
import { createApp } from '../../api/app';
import { createLogger } from '../../logging/logger';
import { createLocalOutboxProvider } from '../../providers/sms/local-outbox';
import { createLeadWorker } from '../../worker/create-worker';
import { freshDatabase, type TestDatabase } from '../support/database';
import { workflowBundle } from '../support/temporal';

/** The vertical slice on the real stack: API → Temporal dev server → worker → Postgres. */
describe('capture → first reply (real dev server, real Postgres)', () => {
  let database: TestDatabase;
  let nativeConnection: NativeConnection;
  let connection: Connection;
  let worker: Worker;
  let running: Promise<void>;
  let app: ReturnType<typeof createApp>;
  let ownerKey: string;
  const taskQueue = `slice-${randomUUID()}`;

  beforeAll(async () => {
    database = await freshDatabase();
    const address = inject('temporalAddress');
    const namespace = inject('temporalNamespace');
    nativeConnection = await NativeConnection.connect({ address });
    connection = await Connection.connect({ address });
    worker = await createLeadWorker({
      connection: nativeConnection,
      namespace,
      taskQueue,
      deps: { db: database.db, sms: createLocalOutboxProvider() },
      workflowBundle: await workflowBundle(),
    });
    running = worker.run();
    const business = await database.db.business.create({ data: { name: 'Rivera Plumbing' } });
    const key = generateApiKey('owner');
    await database.db.apiKey.create({ data: { businessId: business.id, role: 'owner', lookup: key.lookup, hash: key.hash } });
    ownerKey = key.key;
    app = createApp({
      db: database.db,
      temporal: new Client({ connection, namespace }),
      log: createLogger({ name: 'test', level: 'silent' }),
      messagingRetentionDays: 730,
      taskQueue,
    });
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await connection?.close();
    await nativeConnection?.close();
    await database?.drop();
  });

  it('captures a lead, stores it, and sends the first reply through the local provider', async () => {
    const capture = await request(app)
      .post('/v1/leads')
      .set('Authorization', `Bearer ${ownerKey}`)
      .send({ name: 'Dana Whitfield', phone: '(212) 555-0142', message: 'Water heater leaking' });
    expect(capture.status).toBe(202);
    const id: string = capture.body.id;
    expect(capture.headers.location).toBe(`/v1/leads/${id}`);

    await expect
      .poll(async () => (await request(app).get(`/v1/leads/${id}`).set('Authorization', `Bearer ${ownerKey}`)).body.messages?.length, { timeout: 30_000 })
      .toBe(1);
    const lead = await request(app).get(`/v1/leads/${id}`).set('Authorization', `Bearer ${ownerKey}`);
    expect(lead.status).toBe(200);
    expect(lead.body).toMatchObject({ id, name: 'Dana Whitfield', phone: '+12125550142', status: 'contacted' });
    expect(lead.body.messages[0]).toMatchObject({ direction: 'outbound', status: 'sent' });
    expect(lead.body.workflow).toMatchObject({ id: `lead-${id}`, status: 'contacted', nextAction: { kind: 'retention_delete' } });
  });

  it('gives the same lead for the same Idempotency-Key', async () => {
    const send = () =>
      request(app)
        .post('/v1/leads')
        .set('Authorization', `Bearer ${ownerKey}`)
        .set('Idempotency-Key', 'form-submit-42')
        .send({ name: 'Sam Ortiz', phone: '+1 415 555 0199' });
    const [a, b] = await Promise.all([send(), send()]);
    expect(a.status).toBe(202);
    expect(b.body.id).toBe(a.body.id);
  });

  it('answers bad input with a 400 naming the field and why', async () => {
    const res = await request(app).post('/v1/leads').set('Authorization', `Bearer ${ownerKey}`).send({ name: 'X', phone: '12' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'bad_request', message: expect.stringContaining('phone') });
    expect(res.body.error.details).toEqual([{ field: 'phone', reason: expect.any(String) }]);
  });

  it('refuses a missing or wrong key', async () => {
    expect((await request(app).post('/v1/leads').send({})).status).toBe(401);
    const wrong = await request(app).get(`/v1/leads/${randomUUID()}`).set('Authorization', `Bearer ${ownerKey.slice(0, -2)}xx`);
    expect(wrong.status).toBe(401);
  });

  it('is ready when Postgres and Temporal answer', async () => {
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual({ postgres: 'ok', temporal: 'ok' });
    expect((await request(app).get('/healthz')).status).toBe(200);
  });
});
