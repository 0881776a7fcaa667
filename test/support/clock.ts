import { DateTime } from 'luxon';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

/** Skips the test server's clock forward to the next given local weekday and time. */
export async function skipTo(
  env: TestWorkflowEnvironment,
  opts: { zone: string; weekday?: number; hour: number; minute?: number },
) {
  const now = DateTime.fromMillis(await env.currentTimeMs(), { zone: opts.zone });
  let target = now.set({ hour: opts.hour, minute: opts.minute ?? 0, second: 0, millisecond: 0 });
  while (target <= now || (opts.weekday !== undefined && target.weekday !== opts.weekday))
    target = target.plus({ days: 1 });
  await env.sleep(target.toMillis() - now.toMillis());
  return target;
}

export async function localNow(env: TestWorkflowEnvironment, zone: string): Promise<DateTime> {
  return DateTime.fromMillis(await env.currentTimeMs(), { zone });
}
