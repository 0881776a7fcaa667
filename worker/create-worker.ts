import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { TASK_QUEUES } from '../temporal.config';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** One place that wires workflows, activities and the task queue, for `npm run worker` and tests alike. */
export async function createLeadWorker(opts: {
  connection: NativeConnection;
  namespace: string;
  deps: ActivityDeps;
  taskQueue?: string;
  maxCachedWorkflows?: number;
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** The lead payload codec (codec/lead-data-converter); it runs outside the workflow sandbox. */
  dataConverter?: WorkerOptions['dataConverter'];
}): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue ?? TASK_QUEUES.leads,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(opts.deps),
    maxCachedWorkflows: opts.maxCachedWorkflows,
    dataConverter: opts.dataConverter,
  });
}
