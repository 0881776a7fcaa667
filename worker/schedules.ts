import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { TASK_QUEUES } from '../temporal.config';
import { RETENTION_SWEEP_SCHEDULE_ID, type RetentionSweepInput } from '../workflows/retention/definitions';

/**
 * Schedules the platform needs, created at worker start if missing. An existing schedule is
 * left as it is: an operator may have paused it or moved its time in the Temporal UI, and a
 * restart must not undo that.
 */
export async function ensureSchedules(
  client: Client,
  opts: { taskQueue?: string; scheduleId?: string } = {},
): Promise<{ created: string[] }> {
  const scheduleId = opts.scheduleId ?? RETENTION_SWEEP_SCHEDULE_ID;
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
        taskQueue: opts.taskQueue ?? TASK_QUEUES.leads,
        workflowId: scheduleId,
        args: [input],
      },
      // A sweep still running when the next is due: the next is skipped, never stacked.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
      memo: { purpose: 'Deletes rows past their retention period (domain/retention.ts), platform-wide' },
    });
    return { created: [scheduleId] };
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return { created: [] };
    throw err;
  }
}
