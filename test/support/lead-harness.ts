import { randomBytes, randomUUID } from 'node:crypto';
import type { DataConverter } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type Runtime } from '@temporalio/worker';
import type Stripe from 'stripe';
import { inject } from 'vitest';
import { createActivities } from '../../activities';
import { createLeadCodec } from '../../codec/lead-data-converter';
import type { PrivacyKeys } from '../../domain/crypto/privacy-keys';
import { createLogger } from '../../logging/logger';
import { createTemplateWriter } from '../../providers/ai/template-writer';
import type { AiWriter } from '../../providers/ai/ai-writer';
import type { EmailProvider } from '../../providers/email/email-provider';
import { createLocalOutboxProvider } from '../../providers/sms/local-outbox';
import type { SmsProvider } from '../../providers/sms/sms-provider';
import { receiveInboundSms } from '../../services/leads/receive-inbound-sms';
import { SEARCH_ATTRIBUTES } from '../../temporal.config';
import { leadStateQuery, leadWorkflowId, type CapturedLead, type LeadState } from '../../workflows/lead/definitions';
import { freshDatabase, type TestDatabase } from './database';
import { workflowBundle } from './temporal';

export interface LeadHarness {
  env: TestWorkflowEnvironment;
  database: TestDatabase;
  taskQueue: string;
  /** ENCRYPTION_KEY of this harness: workflow payloads are encrypted as in production. */
  masterKey: string;
  /** The worker's data converter, for replaying histories (Worker.runReplayHistory). */
  dataConverter: DataConverter;
  startLead(opts: {
    businessId: string;
    lead?: Partial<CapturedLead>;
    leadId?: string;
  }): Promise<{ leadId: string; workflowId: string }>;
  state(leadId: string): Promise<LeadState>;
  outbox(leadId: string): Promise<Array<{ kind: string; body: string; status: string; idempotencyKey: string | null }>>;
  text(opts: { businessId: string; from: string; body: string }): Promise<string>;
  /** Lets the worker settle: real (not simulated) time for activities to run. */
  settle(ms?: number): Promise<void>;
  /**
   * Skips simulated time once no activity is in flight, so no activity times out in
   * skipped time (its retry would be a second attempt the test did not ask for).
   */
  sleep(duration: string | number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The lead workflow on Temporal's time-skipping server with the real activities, the
 * real Postgres (as the runtime role, under row-level security), the local SMS outbox and
 * the template writer. Only the AI is absent unless a test passes one.
 */
export function createLeadHarness(
  opts: {
    sms?: SmsProvider;
    ai?: AiWriter | null;
    privacyKeys?: PrivacyKeys;
    email?: EmailProvider;
    publicBaseUrl?: string;
    /** Job invoices go to this Stripe client (a fake's URL as its base); none: jobs are not invoiced. */
    stripe?: Stripe | null;
  } = {},
): Promise<LeadHarness> {
  return createLeadHarnessWith({ ...opts, testServerPath: inject('testServerPath'), database: freshDatabase() });
}

/** The harness outside vitest (benchmarks): the caller names the test server and the database. */
export async function createLeadHarnessWith(opts: {
  sms?: SmsProvider;
  ai?: AiWriter | null;
  privacyKeys?: PrivacyKeys;
  email?: EmailProvider;
  publicBaseUrl?: string;
  stripe?: Stripe | null;
  testServerPath: string;
  database: Promise<TestDatabase>;
}): Promise<LeadHarness> {
  const database = await opts.database;
  // Two codecs, as clients and workers are separate processes in production.
  const masterKey = randomBytes(32).toString('hex');
  const clientCodec = createLeadCodec({ db: database.appDb, masterKey, poolSize: 5 });
  const workerCodec = createLeadCodec({ db: database.appDb, masterKey });
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: opts.testServerPath } },
    client: { dataConverter: clientCodec.dataConverter },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      // temporal.api.enums.v1.IndexedValueType
      Object.values(SEARCH_ATTRIBUTES).map((a) => [a.name, { Keyword: 2, Datetime: 6 }[a.type]]),
    ),
  });
  const taskQueue = `leads-${randomUUID()}`;
  const log = createLogger({ name: 'test-worker', level: process.env.TEST_WORKER_LOG === 'debug' ? 'debug' : 'silent' });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    dataConverter: workerCodec.dataConverter,
    activities: createActivities({
      db: database.appDb,
      sms: opts.sms ?? createLocalOutboxProvider(),
      ai: opts.ai ?? null,
      templates: createTemplateWriter(),
      calendarFor: async () => null,
      log,
      privacyKeys: opts.privacyKeys ?? null,
      email: opts.email,
      publicBaseUrl: opts.publicBaseUrl,
      stripe: opts.stripe ?? null,
    }),
  });
  const running = worker.run();
  const workflows = new Set<string>();
  const idle = async () => {
    const deadline = Date.now() + 30_000;
    for (const id of workflows) {
      for (;;) {
        const { raw } = await env.client.workflow.getHandle(id).describe();
        if ((raw.pendingActivities?.length ?? 0) === 0) break;
        if (Date.now() > deadline) throw new Error(`activities of ${id} still running after 30 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };

  return {
    env,
    database,
    taskQueue,
    masterKey,
    dataConverter: workerCodec.dataConverter,
    async startLead({ businessId, lead, leadId = randomUUID() }) {
      const workflowId = leadWorkflowId(leadId);
      const capturedAt = new Date(await env.currentTimeMs()).toISOString();
      await env.client.workflow.start('leadWorkflow', {
        taskQueue,
        workflowId,
        args: [
          {
            leadId,
            businessId,
            capturedAt,
            lead: { name: 'Dana Whitfield', phone: '+12125550142', source: 'api', ...lead },
          },
        ],
      });
      workflows.add(workflowId);
      return { leadId, workflowId };
    },
    state: (leadId) => env.client.workflow.getHandle(leadWorkflowId(leadId)).query(leadStateQuery),
    // Only what the carrier accepted: a row is written before the carrier is called.
    outbox: (leadId) =>
      database.db.message.findMany({
        where: { leadId, direction: 'outbound', providerId: { not: null } },
        orderBy: { createdAt: 'asc' },
        select: { kind: true, body: true, status: true, idempotencyKey: true },
      }),
    async text({ businessId, from, body }) {
      const result = await receiveInboundSms(
        { db: database.appDb, temporal: env.client, taskQueue },
        {
          businessId,
          from,
          body,
          providerId: `SM${randomUUID().replace(/-/g, '')}`,
          provider: 'local',
          receivedAt: new Date(await env.currentTimeMs()),
        },
      );
      workflows.add(leadWorkflowId(result.leadId));
      return result.leadId;
    },
    settle: (ms = 1500) => new Promise((r) => setTimeout(r, ms)),
    async sleep(duration) {
      await idle();
      await env.sleep(duration);
    },
    async close() {
      worker.shutdown();
      await running;
      await env.teardown();
      clientCodec.close();
      workerCodec.close();
      await database.drop();
    },
  };
}

export type { Runtime };
