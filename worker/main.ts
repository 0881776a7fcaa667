import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfigOrExit } from '../config/load-config';
import { leadCodecFromKeyring } from '../codec/lead-data-converter';
import { createPrisma } from '../db/prisma';
import { keyringFromConfig } from '../domain/crypto/keyring';
import { createLogger } from '../logging/logger';
import { temporalSettings } from '../temporal.config';
import { createLeadWorker } from './create-worker';
import { createProviders } from './providers';
import { ensureSchedules } from './schedules';

const config = loadConfigOrExit();
const log = createLogger({ name: 'leadflow-worker', level: config.LOG_LEVEL });
if (!config.DATABASE_URL) {
  log.fatal('DATABASE_URL is not set: run `npm start` for the local stack, or point it at your PostgreSQL');
  process.exit(78);
}

// The SDK's own worker metrics (task latencies, slots, sticky cache) for Prometheus, from
// this process; the API's request metrics are on the API's /metrics.
if (config.WORKER_METRICS_PORT > 0) {
  Runtime.install({
    telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${config.WORKER_METRICS_PORT}` } } },
  });
}

const temporal = temporalSettings(config, (p) => readFileSync(p));
const connection = await NativeConnection.connect(temporal.connection).catch((err: Error) => {
  log.fatal({ address: temporal.address, errType: err.name }, 'cannot reach Temporal');
  process.exit(69);
});
const db = createPrisma({ databaseUrl: config.DATABASE_URL });
const keyring = keyringFromConfig(config);
const leadCodec = leadCodecFromKeyring(keyring, db, { log });
if (!leadCodec) log.warn('ENCRYPTION_KEY is not set: workflow payloads are stored in clear (production requires it)');
const worker = await createLeadWorker({
  connection,
  namespace: temporal.namespace,
  deps: { db, log, ...createProviders(config, { db, log, keyring }) },
  maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
  dataConverter: leadCodec?.dataConverter,
});

// The daily retention sweep, visible and pausable in the Temporal UI: created once, then
// left to operators. A worker that cannot create it still serves leads.
const scheduleConnection = await Connection.connect(temporal.connection);
await ensureSchedules(new Client({ connection: scheduleConnection, namespace: temporal.namespace }), {
  taskQueue: worker.options.taskQueue,
})
  .then(({ created }) => created.length > 0 && log.info({ schedules: created }, 'schedules created'))
  .catch((err: Error) => log.error({ errType: err.name }, 'could not create the schedules'))
  .finally(() => scheduleConnection.close());

// Worker.run handles SIGINT/SIGTERM itself: it stops polling and drains running activities.
log.info({ taskQueue: worker.options.taskQueue }, 'leadflow worker running');
await worker.run();
leadCodec?.close();
await Promise.allSettled([db.$disconnect(), connection.close()]);
log.info('leadflow worker stopped');
