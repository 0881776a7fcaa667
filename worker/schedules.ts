import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { TASK_QUEUES } from '../temporal.config';
import { RETENTION_SWEEP_SCHEDULE_ID, type RetentionSweepInput } from '../workflows/retention/definitions';

/**
 * Schedules the platform needs, created at worker start if missing. An existing schedule is
 * left as it is: an operator may have paused it or moved its time in the Temporal UI, and a
 * restart must not undo that. The one exception: a schedule still aimed at the lead queue,
 * where sweeps ran before they had a queue of their own, is moved to the privacy queue
 * (only its task queue changes; pause, times and policies stay).
 */
export async function ensureSchedules(
  client: Client,
  opts: { taskQueue?: string; scheduleId?: string } = {},
): Promise<{ created: string[]; moved?: string[] }> {
  const scheduleId = opts.scheduleId ?? RETENTION_SWEEP_SCHEDULE_ID;
  const taskQueue = opts.taskQueue ?? TASK_QUEUES.privacy;
  const input: RetentionSweepInput = { businessId: null, dryRun: false, triggeredBy: 'schedule' };
  try {
    await client.schedule.create({
      scheduleId,
      spec: {
        calendars: [
          { hour: 3, minute: 17, comment: 'daily retention sweep, 03:17 UTC (off the hour, away from other jobs)' },
        ],
      },
      action: {
        type: 'startWorkflow',
        workflowType: 'retentionSweepWorkflow',
        taskQueue,
        workflowId: scheduleId,
        args: [input],
      },
      // A sweep still running when the next is due: the next is skipped, never stacked.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
      memo: { purpose: 'Deletes rows past their retention period (domain/retention.ts), platform-wide' },
    });
    return { created: [scheduleId] };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const handle = client.schedule.getHandle(scheduleId);
  const onLeadQueue = (action: { type: string; taskQueue?: string }) =>
    action.type === 'startWorkflow' && action.taskQueue === TASK_QUEUES.leads;
  if (taskQueue === TASK_QUEUES.leads || !onLeadQueue((await handle.describe()).action)) return { created: [] };
  await handle.update((current) =>
    current.action.type === 'startWorkflow' ? { ...current, action: { ...current.action, taskQueue } } : current,
  );
  return { created: [], moved: [scheduleId] };
}
