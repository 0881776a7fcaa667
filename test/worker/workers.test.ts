import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Client, Connection, ScheduleOverlapPolicy } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../logging/logger';
import { createTemplateWriter } from '../../providers/ai/template-writer';
import { createLocalOutboxProvider } from '../../providers/sms/local-outbox';
import { privacyQueueFor, TASK_QUEUES } from '../../temporal.config';
import { createWorkers, runWorkers } from '../../worker/create-worker';
import { ensureSchedules } from '../../worker/schedules';
import { freshDatabase, type TestDatabase } from '../support/database';
import { workflowBundle } from '../support/temporal';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('the worker process: a lead queue and a privacy queue', () => {
  let database: TestDatabase;
  let nativeConnection: NativeConnection;
  let connection: Connection;
  let client: Client;
  beforeAll(async () => {
    database = await freshDatabase();
    nativeConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
    connection = await Connection.connect({ address: inject('temporalAddress') });
    client = new Client({ connection, namespace: inject('temporalNamespace') });
  });
  afterAll(async () => {
    await connection?.close();
    await nativeConnection?.close();
    await database?.drop();
  });

  it('housekeeping goes to the privacy queue; a process pinned to its own queue keeps everything there', () => {
    expect(TASK_QUEUES.privacy).not.toBe(TASK_QUEUES.leads);
    expect(privacyQueueFor()).toBe(TASK_QUEUES.privacy);
    expect(privacyQueueFor(TASK_QUEUES.leads)).toBe(TASK_QUEUES.privacy);
    expect(privacyQueueFor('stack-1234')).toBe('stack-1234');
  });

  it('the daily sweep schedule starts sweeps on the privacy queue; one made on the lead queue is moved, pause kept', async () => {
    const fresh = `retention-sweep-${randomUUID()}`;
    expect(await ensureSchedules(client, { scheduleId: fresh })).toEqual({ created: [fresh] });
    expect((await client.schedule.getHandle(fresh).describe()).action).toMatchObject({
      workflowType: 'retentionSweepWorkflow',
      taskQueue: TASK_QUEUES.privacy,
    });
    expect(await ensureSchedules(client, { scheduleId: fresh })).toEqual({ created: [] });

    // As an earlier release left it: on the lead queue, and paused by an operator.
    const earlier = `retention-sweep-${randomUUID()}`;
    await client.schedule.create({
      scheduleId: earlier,
      spec: { calendars: [{ hour: 4, minute: 45 }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'retentionSweepWorkflow',
        taskQueue: TASK_QUEUES.leads,
        workflowId: earlier,
        args: [{ businessId: null, dryRun: false, triggeredBy: 'schedule' }],
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      state: { paused: true, note: 'operator pause' },
    });
    expect(await ensureSchedules(client, { scheduleId: earlier })).toEqual({ created: [], moved: [earlier] });
    const moved = await client.schedule.getHandle(earlier).describe();
    expect(moved.action).toMatchObject({ workflowType: 'retentionSweepWorkflow', taskQueue: TASK_QUEUES.privacy });
    expect(moved.state).toMatchObject({ paused: true, note: 'operator pause' });
    expect(moved.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 4, end: 4, step: 1 }] });
    expect(moved.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    expect(await ensureSchedules(client, { scheduleId: earlier })).toEqual({ created: [] });
    for (const id of [fresh, earlier]) await client.schedule.getHandle(id).delete();
  });

  it('one process serves both queues: a sweep on the privacy queue runs its activities there, with its own slots', async () => {
    const queues = { leads: `leads-${randomUUID()}`, privacy: `privacy-${randomUUID()}` };
    const workers = await createWorkers({
      connection: nativeConnection,
      namespace: inject('temporalNamespace'),
      queues,
      deps: {
        db: database.appDb,
        sms: createLocalOutboxProvider(),
        ai: null,
        templates: createTemplateWriter(),
        calendarFor: async () => null,
        log: createLogger({ name: 'test', level: 'silent' }),
      },
      workflowBundle: await workflowBundle(),
      shutdownGraceSeconds: 7,
      privacyConcurrency: 3,
    });
    expect([workers.leads.options.taskQueue, workers.privacy.options.taskQueue]).toEqual([
      queues.leads,
      queues.privacy,
    ]);
    // SIGTERM lets running activities finish for the configured grace time.
    expect(workers.leads.options.shutdownGraceTimeMs).toBe(7_000);
    expect(workers.privacy.options.shutdownGraceTimeMs).toBe(7_000);
    expect(workers.privacy.options.shutdownForceTimeMs).toBeGreaterThan(7_000);
    expect(workers.privacy.options.tuner).toMatchObject({
      activityTaskSlotSupplier: { type: 'fixed-size', numSlots: 3 },
      workflowTaskSlotSupplier: { type: 'fixed-size', numSlots: 3 },
    });
    expect(workers.leads.options.tuner).toMatchObject({
      activityTaskSlotSupplier: { type: 'fixed-size', numSlots: 100 },
    });

    const running = runWorkers([workers.leads, workers.privacy]);
    try {
      const sweep = (taskQueue: string) => {
        const runId = randomUUID();
        return client.workflow.execute('retentionSweepWorkflow', {
          taskQueue,
          workflowId: `sweep-${runId}`,
          args: [{ runId, businessId: null, dryRun: true, triggeredBy: 'test' }],
        });
      };
      const [onPrivacy, onLeads] = await Promise.all([sweep(queues.privacy), sweep(queues.leads)]);
      expect(onPrivacy).toMatchObject({ status: 'completed' });
      expect(onLeads).toMatchObject({ status: 'completed' });

      const activityQueues = async (workflowId: string) => {
        const history = await client.workflow.getHandle(workflowId).fetchHistory();
        return [
          ...new Set(
            (history.events ?? []).flatMap((e) =>
              e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.taskQueue?.name] : [],
            ),
          ),
        ];
      };
      expect(await activityQueues(`sweep-${onPrivacy.runId}`)).toEqual([queues.privacy]);
      expect(await activityQueues(`sweep-${onLeads.runId}`)).toEqual([queues.leads]);
    } finally {
      workers.leads.shutdown();
      workers.privacy.shutdown();
      await running;
    }
  });

  it('a second worker on the host finds the metrics port taken: one warning line, and it runs without metrics', async () => {
    const port = await freePort();
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      DATABASE_URL: database.appUrl,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: inject('temporalNamespace'),
      WORKER_METRICS_PORT: String(port),
      WORKER_SHUTDOWN_GRACE_SECONDS: '5',
      LOG_LEVEL: 'info',
    };
    const first = startWorker(env);
    let second: ReturnType<typeof startWorker> | undefined;
    try {
      await first.ready;
      second = startWorker(env);
      await second.ready;
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(metrics.status).toBe(200);
      expect(first.lines().filter((l) => l.includes('WORKER_METRICS_PORT'))).toEqual([]);
      const warned = second.lines().filter((l) => l.includes('WORKER_METRICS_PORT'));
      expect(warned).toHaveLength(1);
      expect(JSON.parse(warned[0]!)).toMatchObject({
        level: 40,
        msg: expect.stringMatching(/^WORKER_METRICS_PORT \d+ is taken .*running without worker metrics/),
      });
      // SIGTERM: both stop cleanly.
      for (const w of [first, second]) w.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      expect(await second.exited).toBe(0);
      for (const w of [first, second]) expect(w.lines().some((l) => l.includes('leadflow worker stopped'))).toBe(true);
    } finally {
      for (const w of [first, second]) if (w && w.child.exitCode === null) w.child.kill('SIGKILL');
    }
  }, 180_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function startWorker(env: Record<string, string | undefined>) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const lines = () => out.split('\n').filter(Boolean);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (out.includes('leadflow worker running')) {
        clearInterval(timer);
        resolve();
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`worker exited (${child.exitCode}) before it ran:\n${out}`));
      }
    }, 100);
  });
  return { child, lines, ready, exited };
}
