import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadConfigOrExit } from '../config/load-config';
import { leadCodecFromKeyring } from '../codec/lead-data-converter';
import { createPrisma } from '../db/prisma';
import { keyringFromConfig } from '../domain/crypto/keyring';
import { createLogger } from '../logging/logger';
import { checkSearchAttributes, SearchAttributesMissingError } from '../temporal.cluster';
import { TASK_QUEUES, temporalSettings } from '../temporal.config';
import { startTracing } from '../tracing/tracing';
import { createWorkers, runWorkers } from './create-worker';
import { createProviders } from './providers';
import { installRuntime } from './runtime';
import { ensureSchedules } from './schedules';

const config = loadConfigOrExit();
const log = createLogger({ name: 'leadflow-worker', level: config.LOG_LEVEL });
if (!config.DATABASE_URL) {
  log.fatal('DATABASE_URL is not set: run `npm start` for the local stack, or point it at your PostgreSQL');
  process.exit(78);
}
// Built ahead (`npm run build:workflows`, the Docker image): the worker starts without
// bundling, and every replica runs the same workflow code.
const workflowBundlePath = config.WORKFLOW_BUNDLE_PATH && resolve(config.WORKFLOW_BUNDLE_PATH);
if (workflowBundlePath && !existsSync(workflowBundlePath)) {
  log.fatal(`WORKFLOW_BUNDLE_PATH ${workflowBundlePath} does not exist: run \`npm run build:workflows\`, or unset it`);
  process.exit(78);
}
const tracing = startTracing({
  endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  serviceName: config.OTEL_SERVICE_NAME ?? 'leadflow-worker',
});

// The SDK's own logs through this (redacting) logger, and its worker metrics for
// Prometheus from this process; the API's request metrics are on the API's /metrics.
installRuntime({ metricsPort: config.WORKER_METRICS_PORT, log });

const temporal = temporalSettings(config, (p) => readFileSync(p));
const connection = await NativeConnection.connect(temporal.connection).catch((err: Error) => {
  log.fatal({ address: temporal.address, errType: err.name }, 'cannot reach Temporal');
  process.exit(69);
});
// Workflows upserting an unregistered search attribute would fail their tasks forever: refuse to start instead.
await checkSearchAttributes(connection, temporal.namespace).catch((err: Error & { code?: number }) => {
  if (err instanceof SearchAttributesMissingError) {
    log.fatal(err.message);
    process.exit(78);
  }
  // PERMISSION_DENIED: credentials that may run workflows but not list attributes; run on.
  if (err.code === 7) {
    log.warn(
      { namespace: temporal.namespace },
      "could not verify the namespace's search attributes (permission denied): make sure `npm run temporal:setup` has run",
    );
    return;
  }
  log.fatal({ address: temporal.address, errType: err.name }, `cannot check the namespace: ${err.message}`);
  process.exit(69);
});
const db = createPrisma({ databaseUrl: config.DATABASE_URL });
const keyring = keyringFromConfig(config);
const leadCodec = leadCodecFromKeyring(keyring, db, { log });
if (!leadCodec) log.warn('ENCRYPTION_KEY is not set: workflow payloads are stored in clear (production requires it)');
const workers = await createWorkers({
  connection,
  namespace: temporal.namespace,
  deps: { db, log, ...createProviders(config, { db, log, keyring }) },
  maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
  workflowBundle: workflowBundlePath ? { codePath: workflowBundlePath } : undefined,
  tracing,
  dataConverter: leadCodec?.dataConverter,
  shutdownGraceSeconds: config.WORKER_SHUTDOWN_GRACE_SECONDS,
  privacyConcurrency: config.WORKER_PRIVACY_CONCURRENCY,
});

// The daily retention sweep, visible and pausable in the Temporal UI: created once, then
// left to operators. A worker that cannot create it still serves leads.
const scheduleConnection = await Connection.connect(temporal.connection);
await ensureSchedules(new Client({ connection: scheduleConnection, namespace: temporal.namespace }), {
  taskQueue: TASK_QUEUES.privacy,
})
  .then(({ created, moved }) => {
    if (created.length > 0) log.info({ schedules: created }, 'schedules created');
    if (moved) log.info({ schedules: moved, taskQueue: TASK_QUEUES.privacy }, 'schedules moved to the privacy queue');
  })
  .catch((err: Error) => log.error({ errType: err.name }, 'could not create the schedules'))
  .finally(() => scheduleConnection.close());

// SIGINT/SIGTERM stop both workers (the SDK's runtime handles them): polling stops, and
// running activities get WORKER_SHUTDOWN_GRACE_SECONDS to finish before they are cancelled.
log.info(
  {
    taskQueues: [workers.leads.options.taskQueue, workers.privacy.options.taskQueue],
    workflowBundle: workflowBundlePath ? 'prebuilt' : 'bundled at start',
    tracing: tracing ? 'on' : 'off',
  },
  'leadflow worker running',
);
await runWorkers([workers.leads, workers.privacy]).catch((err: Error) => {
  log.error({ errType: err.name }, 'leadflow worker stopped with an error');
  process.exitCode = 1;
});
leadCodec?.close();
await Promise.allSettled([db.$disconnect(), connection.close(), tracing?.shutdown()]);
log.info('leadflow worker stopped');
