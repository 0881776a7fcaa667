import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildWorkflowBundle } from '../../scripts/build-workflow-bundle';
import { freshDatabase, type TestDatabase } from '../support/database';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function runWorker(env: Record<string, string | undefined>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      WORKER_METRICS_PORT: '0',
      WORKER_SHUTDOWN_GRACE_SECONDS: '5',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, lines: () => out.split('\n').filter(Boolean) };
}

describe('worker/main.ts at start', () => {
  let database: TestDatabase;
  let connection: Connection;
  const scratch = mkdtempSync(join(tmpdir(), 'leadflow-worker-start-'));

  beforeAll(async () => {
    database = await freshDatabase();
    connection = await Connection.connect({ address: inject('temporalAddress') });
  });
  afterAll(async () => {
    await connection?.close();
    await database?.drop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('refuses to run with one line (exit 78) on a namespace without leadflow’s search attributes', async () => {
    const namespace = `bare-${randomBytes(4).toString('hex')}`;
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: proto.google.protobuf.Duration.fromObject({ seconds: 86_400 }),
    });
    // A new namespace reaches the frontend's cache within seconds.
    await expect
      .poll(
        () =>
          connection.operatorService.listSearchAttributes({ namespace }).then(
            () => true,
            () => false,
          ),
        { timeout: 30_000, interval: 500 },
      )
      .toBe(true);

    const worker = runWorker({ DATABASE_URL: database.appUrl, TEMPORAL_NAMESPACE: namespace });
    expect(await worker.exited).toBe(78);
    expect(worker.lines()).toHaveLength(1);
    expect(JSON.parse(worker.lines()[0]!)).toMatchObject({
      level: 60,
      msg: `namespace ${namespace} lacks leadflow's search attributes (missing LeadflowBusinessId, LeadflowLeadStatus, LeadflowNextActionAt, LeadflowAccountStatus): run \`npm run temporal:setup\` with the worker's TEMPORAL_* settings`,
    });
  }, 60_000);

  it('refuses a WORKFLOW_BUNDLE_PATH that does not exist, with one line (exit 78)', async () => {
    const missing = join(scratch, 'nope.js');
    const worker = runWorker({ DATABASE_URL: database.appUrl, WORKFLOW_BUNDLE_PATH: missing });
    expect(await worker.exited).toBe(78);
    expect(worker.lines().map((l) => JSON.parse(l).msg)).toEqual([
      `WORKFLOW_BUNDLE_PATH ${missing} does not exist: run \`npm run build:workflows\`, or unset it`,
    ]);
  }, 60_000);

  it('loads the bundle at WORKFLOW_BUNDLE_PATH (as the Docker image does) and stops on SIGTERM', async () => {
    const { path } = await buildWorkflowBundle({ outFile: join(scratch, 'workflow-bundle.js'), quiet: true });
    const worker = runWorker({
      DATABASE_URL: database.appUrl,
      TEMPORAL_NAMESPACE: inject('temporalNamespace'),
      WORKFLOW_BUNDLE_PATH: path,
    });
    try {
      await expect
        .poll(() => worker.lines().some((l) => l.includes('leadflow worker running')), { timeout: 60_000 })
        .toBe(true);
      const running = JSON.parse(worker.lines().find((l) => l.includes('leadflow worker running'))!);
      expect(running).toMatchObject({ workflowBundle: 'prebuilt', tracing: 'off' });
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    } finally {
      if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    }
  }, 120_000);
});
