import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { RETENTION_SWEEP_SCHEDULE_ID } from '../../workflows/retention/definitions';

const logMessages = (file: string): string[] =>
  (existsSync(file) ? readFileSync(file, 'utf8') : '').split('\n').flatMap((line) => {
    try {
      return [(JSON.parse(line) as { msg?: string }).msg ?? ''];
    } catch {
      return [];
    }
  });

/**
 * Until each of the first `count` workers has logged that it runs, which it does after its
 * ensureSchedules call: a SIGKILL before that would leave only one worker racing.
 */
export async function waitForWorkersRunning(opts: { logDir: string; count: number; timeoutMs: number }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (let i = 1; i <= opts.count; i += 1) {
    while (!logMessages(join(opts.logDir, `worker-${i}.log`)).includes('leadflow worker running')) {
      if (Date.now() > deadline)
        throw new Error(`worker ${i} did not log 'leadflow worker running' within ${opts.timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * The workers that started together (worker-1.log, worker-2.log) both ran ensureSchedules
 * (worker/schedules.ts): exactly one of them created the schedule, neither failed, no later
 * worker (a restart after a SIGKILL) created it again, and the cluster holds it once.
 */
export async function checkSchedulesCreatedOnce(opts: {
  client: Client;
  logDir: string;
  startedTogether: number;
}): Promise<{ violations: string[]; summary: string }> {
  const violations: string[] = [];
  const logs = readdirSync(opts.logDir)
    .filter((f) => /^worker-\d+\.log$/.test(f))
    .sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]));
  const messages = (file: string) => logMessages(join(opts.logDir, file));
  let created = 0;
  for (const [i, file] of logs.entries()) {
    const msgs = messages(file);
    if (i < opts.startedTogether && !msgs.includes('leadflow worker running'))
      violations.push(`schedules: ${file} never got past its ensureSchedules call`);
    const here = msgs.filter((m) => m === 'schedules created').length;
    if (i >= opts.startedTogether && here > 0)
      violations.push(`schedules: ${file} (a restarted worker) created them again`);
    created += here;
    if (msgs.includes('could not create the schedules'))
      violations.push(`schedules: ${file} could not create the schedules`);
  }
  for (let i = 1; i <= opts.startedTogether; i += 1)
    if (!existsSync(join(opts.logDir, `worker-${i}.log`))) violations.push(`schedules: no log of worker ${i}`);
  if (created !== 1) violations.push(`schedules: ${created} 'schedules created' lines across the workers, expected 1`);
  let listed = 0;
  for await (const schedule of opts.client.schedule.list())
    if (schedule.scheduleId === RETENTION_SWEEP_SCHEDULE_ID) listed += 1;
  if (listed !== 1) violations.push(`schedules: ${RETENTION_SWEEP_SCHEDULE_ID} listed ${listed} times on the cluster`);
  return {
    violations,
    summary: `${RETENTION_SWEEP_SCHEDULE_ID} created ${created} time(s) by ${opts.startedTogether} workers starting together (${logs.length} worker starts in all), listed ${listed} time(s)`,
  };
}
