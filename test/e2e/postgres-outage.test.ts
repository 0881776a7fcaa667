import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createApp } from '../../api/app';
import { createKey } from '../../api/routes/businesses';
import { createLeadCodec, type LeadCodec } from '../../codec/lead-data-converter';
import { createPrisma, type Db } from '../../db/prisma';
import { ensureRuntimeLogin } from '../../db/roles';
import { withTenant } from '../../db/tenant';
import { createLogger } from '../../logging/logger';
import { createTemplateWriter } from '../../providers/ai/template-writer';
import { createLocalOutboxProvider } from '../../providers/sms/local-outbox';
import { migrateDeploy } from '../../scripts/db/migrate';
import { freePort } from '../../scripts/toolchain/free-port';
import { startLocalPostgres, type LocalPostgres } from '../../scripts/toolchain/postgres';
import { createLeadWorker } from '../../worker/create-worker';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { workflowBundle } from '../support/temporal';

/**
 * "A capture is never lost, even while the database is down": the workflow is the
 * intake, and its persistence activity retries until Postgres is back.
 */
describe('capture while PostgreSQL is stopped (real server, stopped and started)', () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'leadflow-outage-')), 'pg');
  let pg: LocalPostgres;
  let port = 0;
  let owner: Db;
  let appDb: Db;
  let worker: Worker;
  let running: Promise<void>;
  let nativeConnection: NativeConnection;
  let connection: Connection;
  let app: ReturnType<typeof createApp>;
  let key = '';
  let apiCodec: LeadCodec;
  let workerCodec: LeadCodec;
  /** An API process whose pool of ready keys is empty. */
  let dryCodec: LeadCodec;
  let dryApp: ReturnType<typeof createApp>;

  beforeAll(async () => {
    port = await freePort();
    pg = await startLocalPostgres({ dataDir, port });
    await migrateDeploy({ databaseUrl: pg.url });
    const appUrl = await ensureRuntimeLogin({
      ownerUrl: pg.url,
      role: 'leadflow_runtime_outage',
      password: 'outage-test',
    });
    owner = createPrisma({ databaseUrl: pg.url, max: 2 });
    appDb = createPrisma({ databaseUrl: appUrl, max: 4 });
    const business = await createBusiness(owner);
    key = (await withTenant(owner, business.id, (tx) => createKey(tx, business.id, 'owner', 'outage'))).key;

    const address = inject('temporalAddress');
    nativeConnection = await NativeConnection.connect({ address });
    connection = await Connection.connect({ address });
    const taskQueue = `outage-${randomUUID()}`;
    const log = createLogger({ name: 'test', level: 'silent' });
    // Payloads encrypted as in production: the API's pool of ready keys serves captures during the outage.
    const masterKey = randomBytes(32).toString('hex');
    apiCodec = createLeadCodec({ db: appDb, masterKey, poolSize: 3 });
    workerCodec = createLeadCodec({ db: appDb, masterKey });
    await apiCodec.keys.refill();
    worker = await createLeadWorker({
      connection: nativeConnection,
      namespace: inject('temporalNamespace'),
      taskQueue,
      deps: {
        db: appDb,
        sms: createLocalOutboxProvider(),
        ai: null,
        templates: createTemplateWriter(),
        calendarFor: async () => null,
        log,
      },
      workflowBundle: await workflowBundle(),
      dataConverter: workerCodec.dataConverter,
    });
    running = worker.run();
    app = createApp({
      db: appDb,
      temporal: new Client({
        connection,
        namespace: inject('temporalNamespace'),
        dataConverter: apiCodec.dataConverter,
      }),
      log,
      taskQueue,
      leadCodec: apiCodec,
    });
    dryCodec = createLeadCodec({ db: appDb, masterKey, poolSize: 0 });
    dryApp = createApp({
      db: appDb,
      temporal: new Client({
        connection,
        namespace: inject('temporalNamespace'),
        dataConverter: dryCodec.dataConverter,
      }),
      log,
      taskQueue,
      leadCodec: dryCodec,
    });
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await connection?.close();
    await nativeConnection?.close();
    apiCodec?.close();
    workerCodec?.close();
    dryCodec?.close();
    await Promise.allSettled([owner?.$disconnect(), appDb?.$disconnect()]);
    await pg?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const capture = async (suffix: number, to = app) =>
    request(to)
      .post('/v1/leads')
      .set('Authorization', `Bearer ${key}`)
      .send({
        name: 'Ravi Shah',
        phone: await daytimePhone(suffix),
        consent: { text: 'I agree to receive texts about my request.' },
      });

  it('accepts the capture, then stores it and sends the first reply once Postgres is back', async () => {
    const warm = await capture(51);
    expect(warm.status).toBe(202);
    expect((await request(dryApp).get('/v1/leads').set('Authorization', `Bearer ${key}`)).status).toBe(200); // its key cache is warm

    await pg.stop();
    const during = await capture(52);
    expect(during.status).toBe(202);
    const id = during.body.id as string;
    const read = await request(app).get(`/v1/leads/${id}`).set('Authorization', `Bearer ${key}`);
    expect(read.status).toBe(503);
    expect(read.headers['retry-after']).toBeDefined();
    expect(read.body.error.code).toBe('unavailable');
    // No ready key and no database: the capture is refused with a retry hint, never taken unencrypted.
    const dry = await capture(53, dryApp);
    expect(dry.status).toBe(503);
    expect(dry.headers['retry-after']).toBe('5');
    expect(dry.body.error.message).toMatch(/no encryption key is ready/);

    await new Promise((r) => setTimeout(r, 3000));
    pg = await startLocalPostgres({ dataDir, port });
    await expect
      .poll(
        async () =>
          (await request(app).get(`/v1/leads/${id}`).set('Authorization', `Bearer ${key}`)).body.messages?.length,
        { timeout: 90_000, interval: 1000 },
      )
      .toBe(1);
    const lead = await owner.lead.findUniqueOrThrow({ where: { id } });
    expect(lead.name).toBe('Ravi Shah');
    expect(await owner.message.count({ where: { leadId: id, direction: 'outbound', providerId: { not: null } } })).toBe(
      1,
    );
    // The ready key it took while Postgres was down now names the lead, so erasure finds it.
    const keys = await owner.leadDataKey.findMany({ where: { leadId: id } });
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ businessId: lead.businessId, destroyedAt: null });
    expect(keys[0]!.assignedAt).not.toBeNull();
  }, 150_000);
});
