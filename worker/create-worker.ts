import { bundleWorkflowCode, NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { TASK_QUEUES } from '../temporal.config';
import { tracingActivityInterceptors, workflowSpanSinks } from '../tracing/temporal';
import type { Tracing } from '../tracing/tracing';
import {
  WORKFLOW_BUNDLE_OPTIONS,
  WORKFLOW_INTERCEPTOR_MODULES,
  WORKFLOW_PRELOAD_MODULES,
  WORKFLOWS_PATH,
} from './workflow-paths';

export { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH };

/** Slots of the privacy queue: a sweep or a purge proceeds, never with the lead queue's capacity. */
export const DEFAULT_PRIVACY_CONCURRENCY = 4;

interface CommonOptions {
  connection: NativeConnection;
  namespace: string;
  deps: ActivityDeps;
  maxCachedWorkflows?: number;
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** The lead payload codec (codec/lead-data-converter); it runs outside the workflow sandbox. */
  dataConverter?: WorkerOptions['dataConverter'];
  /**
   * Running activities may finish within this on shutdown (SIGTERM), then they are cancelled
   * (WORKER_SHUTDOWN_GRACE_SECONDS). Unset: cancelled at once, as tests want.
   */
  shutdownGraceSeconds?: number;
  /** Spans for activities and, through the sink, for workflows (tracing/tracing.ts); null or unset: off. */
  tracing?: Tracing | null;
}

/**
 * A bundle made at worker start carries the tracing interceptors only when tracing is on:
 * in the sandbox every workflow loads its own copy of the modules it runs with, and the
 * OpenTelemetry SDK is most of what a new lead's workflow loaded, only for its spans to be
 * dropped. Interceptors add no commands, so histories replay either way. A prebuilt bundle
 * (`npm run build:workflows`) always carries them, for traced and untraced workers alike.
 */
export const workflowInterceptorModules = (tracing: Tracing | null): string[] =>
  tracing ? WORKFLOW_INTERCEPTOR_MODULES : [];

/**
 * One place that wires workflows, activities and a task queue, for `npm run worker` and
 * tests alike. Every worker registers every workflow and activity: a workflow started on
 * either queue (before or after an upgrade moved its kind) is served.
 */
export async function createLeadWorker(
  opts: CommonOptions & {
    taskQueue?: string;
    maxConcurrentActivityTaskExecutions?: number;
    maxConcurrentWorkflowTaskExecutions?: number;
  },
): Promise<Worker> {
  const grace = opts.shutdownGraceSeconds;
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue ?? TASK_QUEUES.leads,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(opts.deps),
    interceptors: {
      activity: tracingActivityInterceptors(opts.tracing ?? null),
      // Used only when the worker bundles the workflows itself (no workflowBundle).
      workflowModules: workflowInterceptorModules(opts.tracing ?? null),
    },
    bundlerOptions: { preloadModules: WORKFLOW_PRELOAD_MODULES },
    sinks: workflowSpanSinks(opts.tracing ?? null),
    maxCachedWorkflows: opts.maxCachedWorkflows,
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions,
    maxConcurrentWorkflowTaskExecutions: opts.maxConcurrentWorkflowTaskExecutions,
    dataConverter: opts.dataConverter,
    ...(grace
      ? {
          shutdownGraceTime: grace * 1000,
          // An activity that ignores its cancellation must not keep the process from exiting.
          shutdownForceTime: (grace + 15) * 1000,
        }
      : {}),
  });
}

/**
 * The worker process's two workers on one connection: the lead queue at full capacity, and
 * the privacy queue (retention sweeps, tenant purges, data-subject requests) with a few
 * slots of its own, so housekeeping never waits behind leads nor takes their slots.
 */
export async function createWorkers(
  opts: CommonOptions & { queues?: { leads: string; privacy: string }; privacyConcurrency?: number },
): Promise<{ leads: Worker; privacy: Worker }> {
  const queues = opts.queues ?? TASK_QUEUES;
  const workflowBundle =
    opts.workflowBundle ??
    (await bundleWorkflowCode({
      ...WORKFLOW_BUNDLE_OPTIONS,
      workflowInterceptorModules: workflowInterceptorModules(opts.tracing ?? null),
    }));
  const slots = Math.max(2, opts.privacyConcurrency ?? DEFAULT_PRIVACY_CONCURRENCY);
  const [leads, privacy] = await Promise.all([
    createLeadWorker({ ...opts, workflowBundle, taskQueue: queues.leads }),
    createLeadWorker({
      ...opts,
      workflowBundle,
      taskQueue: queues.privacy,
      maxConcurrentActivityTaskExecutions: slots,
      maxConcurrentWorkflowTaskExecutions: slots,
      maxCachedWorkflows: Math.min(opts.maxCachedWorkflows ?? 100, 100),
    }),
  ]);
  return { leads, privacy };
}

/** Runs the workers until each has stopped (SIGINT/SIGTERM stop them all); one failing stops the others. */
export async function runWorkers(workers: Worker[]): Promise<void> {
  const runs = workers.map((w) => w.run());
  try {
    await Promise.all(runs);
  } catch (err) {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled(runs);
    throw err;
  }
}
