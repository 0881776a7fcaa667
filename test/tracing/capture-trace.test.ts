import { randomBytes, randomUUID } from 'node:crypto';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, type Worker } from '@temporalio/worker';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../api/app';
import { createKey } from '../../api/routes/businesses';
import { createLeadCodec } from '../../codec/lead-data-converter';
import { withTenant } from '../../db/tenant';
import { createLogger } from '../../logging/logger';
import { createTemplateWriter } from '../../providers/ai/template-writer';
import { createLocalOutboxProvider } from '../../providers/sms/local-outbox';
import { tracingClientInterceptors } from '../../tracing/temporal';
import { startTracing, type Tracing } from '../../tracing/tracing';
import { createLeadWorker, WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../../worker/create-worker';
import { eraseSignal, leadWorkflowId } from '../../workflows/lead/definitions';
import { createBusiness } from '../support/business';
import { freshDatabase, type TestDatabase } from '../support/database';
import { daytimePhone } from '../support/phones';

const consent = { text: 'By submitting, you agree to receive texts about your request. Reply STOP to opt out.' };
const NAME = 'Dana Whitfield';
const MESSAGE = 'Water heater leaking under the stairs';

/** Everything a span exports, as text: name, attributes, events, status, links and resource. */
const exported = (span: ReadableSpan) =>
  JSON.stringify({
    name: span.name,
    attributes: span.attributes,
    events: span.events,
    status: span.status,
    links: span.links,
    resource: span.resource.attributes,
  });

/**
 * One capture on the real stack (dev server, Postgres, a worker with the production bundle's
 * interceptors, the API app), traced into an in-memory exporter through the same pipeline
 * as OTLP: the request, the client's start, the workflow and the send are one trace.
 */
describe('tracing a capture to its first reply', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let database: TestDatabase;
  let nativeConnection: NativeConnection;
  let connection: Connection;
  let worker: Worker;
  let running: Promise<void>;
  let client: Client;
  let app: ReturnType<typeof createApp>;
  let ownerKey: string;
  const closers: Array<() => void> = [];

  beforeAll(async () => {
    tracing = startTracing({ serviceName: 'leadflow-test', exporter })!;
    database = await freshDatabase();
    const address = inject('temporalAddress');
    const namespace = inject('temporalNamespace');
    nativeConnection = await NativeConnection.connect({ address });
    connection = await Connection.connect({ address });
    const taskQueue = `trace-${randomUUID()}`;
    const log = createLogger({ name: 'test', level: 'silent' });
    const masterKey = randomBytes(32).toString('hex');
    const workerCodec = createLeadCodec({ db: database.appDb, masterKey });
    const apiCodec = createLeadCodec({ db: database.appDb, masterKey, poolSize: 5 });
    closers.push(
      () => workerCodec.close(),
      () => apiCodec.close(),
    );
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
        privacyKeys: null,
      },
      // As the worker process and `npm run build:workflows` bundle them.
      workflowBundle: await bundleWorkflowCode({
        workflowsPath: WORKFLOWS_PATH,
        workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
        logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
      }),
      dataConverter: workerCodec.dataConverter,
      tracing,
    });
    running = worker.run();
    client = new Client({
      connection,
      namespace,
      dataConverter: apiCodec.dataConverter,
      interceptors: tracingClientInterceptors(tracing),
    });
    app = createApp({ db: database.appDb, temporal: client, log, taskQueue, leadCodec: apiCodec });
    const business = await createBusiness(database.db);
    ownerKey = (await withTenant(database.db, business.id, (tx) => createKey(tx, business.id, 'owner', 'test'))).key;
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    for (const close of closers) close();
    await connection?.close();
    await nativeConnection?.close();
    await database?.drop();
    await tracing?.shutdown();
  });

  it('shows the request, StartWorkflow, RunWorkflow and the activity that records and answers the lead in one trace, without personal data', async () => {
    const phone = await daytimePhone(3);
    const capture = await request(app)
      .post('/v1/leads')
      .set('Authorization', `Bearer ${ownerKey}`)
      .send({ name: NAME, phone, message: MESSAGE, consent });
    expect(capture.status).toBe(202);
    const leadId: string = capture.body.id;

    await expect
      .poll(() => database.db.message.count({ where: { leadId, kind: 'first_reply', status: 'sent' } }), {
        timeout: 30_000,
      })
      .toBe(1);
    // The run's own span ends with the run: a lead's lasts for years, so this one is erased.
    const handle = client.workflow.getHandle(leadWorkflowId(leadId));
    await handle.signal(eraseSignal, { requestId: randomUUID() });
    await handle.result();
    await expect
      .poll(() => exporter.getFinishedSpans().some((s) => s.name === 'RunWorkflow:leadWorkflow'), { timeout: 10_000 })
      .toBe(true);

    const spans = exporter.getFinishedSpans();
    const one = (name: string) => {
      const found = spans.filter((s) => s.name === name);
      expect(
        found.map((s) => s.name),
        name,
      ).toEqual([name]);
      return found[0]!;
    };
    const http = one('POST /v1/leads');
    const start = one('StartWorkflow:leadWorkflow');
    const run = one('RunWorkflow:leadWorkflow');
    // The first reply is sent by the activity that records the lead ('record-with-first-reply').
    const schedule = one('StartActivity:recordLeadAndFirstReply');
    const send = one('RunActivity:recordLeadAndFirstReply');

    const traceId = http.spanContext().traceId;
    for (const span of [start, run, schedule, send]) expect(span.spanContext().traceId, span.name).toBe(traceId);
    // Parent links: request → client start → workflow run → scheduled activity → activity run.
    expect(start.parentSpanId).toBe(http.spanContext().spanId);
    expect(run.parentSpanId).toBe(start.spanContext().spanId);
    expect(schedule.parentSpanId).toBe(run.spanContext().spanId);
    expect(send.parentSpanId).toBe(schedule.spanContext().spanId);

    expect(http.attributes).toEqual({
      'http.request.method': 'POST',
      'http.route': '/v1/leads',
      'http.response.status_code': 202,
    });
    expect(start.attributes).toMatchObject({ temporalWorkflowId: `lead-${leadId}` });
    expect(run.attributes).toMatchObject({ workflowId: `lead-${leadId}`, workflowType: 'leadWorkflow' });
    expect(send.resource.attributes['service.name']).toBe('leadflow-test');

    const everything = spans.map(exported).join('\n');
    const digits = phone.replace(/\D/g, '');
    for (const personal of [phone, digits, digits.slice(-10), 'Dana', 'Whitfield', 'Water heater', 'stairs'])
      expect(everything, personal).not.toContain(personal);
  });

  it('names a request by its route pattern, never its URL or query string', async () => {
    exporter.reset();
    const id = randomUUID();
    const res = await request(app)
      .get(`/v1/leads/${id}?phone=%2B12125550142`)
      .set('Authorization', `Bearer ${ownerKey}`);
    expect(res.status).toBe(404);
    await expect.poll(() => exporter.getFinishedSpans().length).toBeGreaterThan(0);
    const [span] = exporter.getFinishedSpans().filter((s) => s.attributes['http.route']);
    expect(span?.name).toBe('GET /v1/leads/:id');
    expect(span?.attributes).toEqual({
      'http.request.method': 'GET',
      'http.route': '/v1/leads/:id',
      'http.response.status_code': 404,
    });
    // Ids may appear (the client's DescribeWorkflow span names the workflow); the query string never does.
    expect(exported(span!)).not.toContain(id);
    expect(exporter.getFinishedSpans().map(exported).join('\n')).not.toContain('5550142');
  });
});
