import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type Stripe from 'stripe';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { createApp, type AppOptions } from '../../api/app';
import { createLeadCodec } from '../../codec/lead-data-converter';
import type { PrivacyKeys } from '../../domain/crypto/privacy-keys';
import { createLogger, type Logger } from '../../logging/logger';
import { createTemplateWriter } from '../../providers/ai/template-writer';
import { createLocalOutboxProvider } from '../../providers/sms/local-outbox';
import type { AiWriter } from '../../providers/ai/ai-writer';
import type { SmsProvider } from '../../providers/sms/sms-provider';
import { createLeadWorker } from '../../worker/create-worker';
import { freshDatabase, type TestDatabase } from './database';
import { workflowBundle } from './temporal';

export interface Stack {
  database: TestDatabase;
  app: ReturnType<typeof createApp>;
  client: Client;
  taskQueue: string;
  /** ENCRYPTION_KEY of this stack: workflow payloads are encrypted as in production. */
  masterKey: string;
  close(): Promise<void>;
}

/**
 * The real stack for end-to-end tests: the run's Temporal dev server, a fresh Postgres
 * database (the API and worker connect as the runtime role, under row-level security),
 * a real worker, and the API app (driven with supertest).
 */
export async function startStack(
  opts: {
    sms?: SmsProvider;
    ai?: AiWriter | null;
    app?: Partial<AppOptions>;
    log?: Logger;
    privacyKeys?: PrivacyKeys;
    /** The worker's Stripe client for job invoices; unset: finished jobs are not invoiced. */
    stripe?: Stripe | null;
  } = {},
): Promise<Stack> {
  const database = await freshDatabase();
  const address = inject('temporalAddress');
  const namespace = inject('temporalNamespace');
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const taskQueue = `stack-${randomUUID()}`;
  const log = opts.log ?? createLogger({ name: 'test', level: 'silent' });
  // Two codecs, as the API and the worker are two processes in production.
  const masterKey = randomBytes(32).toString('hex');
  const workerCodec = createLeadCodec({ db: database.appDb, masterKey });
  const apiCodec = createLeadCodec({ db: database.appDb, masterKey, poolSize: 5 });
  const worker: Worker = await createLeadWorker({
    connection: nativeConnection,
    namespace,
    taskQueue,
    deps: {
      db: database.appDb,
      sms: opts.sms ?? createLocalOutboxProvider(),
      ai: opts.ai ?? null,
      templates: createTemplateWriter(),
      calendarFor: async () => null,
      log,
      privacyKeys: opts.privacyKeys ?? null,
      stripe: opts.stripe ?? null,
    },
    workflowBundle: await workflowBundle(),
    dataConverter: workerCodec.dataConverter,
  });
  const running = worker.run();
  const client = new Client({ connection, namespace, dataConverter: apiCodec.dataConverter });
  const app = createApp({
    db: database.appDb,
    temporal: client,
    log,
    taskQueue,
    leadCodec: apiCodec,
    privacyKeys: opts.privacyKeys ?? null,
    ...opts.app,
  });
  return {
    database,
    app,
    client,
    taskQueue,
    masterKey,
    async close() {
      worker.shutdown();
      await running;
      workerCodec.close();
      apiCodec.close();
      await connection.close();
      await nativeConnection.close();
      await database.drop();
    },
  };
}
