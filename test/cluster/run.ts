import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTemporalServer, TEMPORAL_SERVER } from '../../scripts/toolchain/temporal-server';
import { runFaults } from '../faults/fault-run';
import { checkSchedulesCreatedOnce, waitForWorkersRunning } from './schedules-once';

/**
 * `npm run test:cluster [-- --seed=N --leads=N --quick --keep-logs]`: the fault run's lead
 * plans on the real Temporal server (PostgreSQL persistence and SQL visibility), two worker
 * processes and two API processes (captures and webhooks spread across both), while a
 * worker is SIGKILLed, an API process restarted and the Temporal server restarted. Same
 * checks as test:faults, plus the retention schedule created once by the two workers
 * starting together. Exits 1 on any violation.
 */
const args = process.argv.slice(2);
const arg = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = args.includes('--quick');
const seed = Number(arg('seed') ?? Math.floor(Math.random() * 2 ** 31));
const leads = Number(arg('leads') ?? (quick ? 30 : 100));
const workers = 2;
const apis = 2;
if (!Number.isInteger(seed) || seed < 0) throw new Error('--seed must be a whole number ≥ 0');
if (!Number.isInteger(leads) || leads < 1) throw new Error('--leads must be a whole number ≥ 1');
const say = (l: string) => console.log(`cluster: ${l}`);

const started = performance.now();
// Built once (about 6 minutes on 2 cores), then cached in .tools/temporal-server/.
await ensureTemporalServer({ log: say });
const built = (performance.now() - started) / 1000;
say(
  `seed ${seed}, ${leads} leads on the Temporal server ${TEMPORAL_SERVER.version} (PostgreSQL, ${TEMPORAL_SERVER.historyShards} history shards), ${workers} workers, ${apis} APIs (rerun with --seed=${seed})`,
);
const logDir = mkdtempSync(join(tmpdir(), 'leadflow-cluster-logs-'));
let schedules = '';
const result = await runFaults({
  seed,
  leads,
  spreadSeconds: Number(arg('spread') ?? (quick ? 45 : 90)),
  postgresDownSeconds: 0,
  temporalDownSeconds: Number(arg('temporal-down') ?? 10),
  workerKills: Number(arg('worker-kills') ?? 2),
  temporalRestart: true,
  postgresOutage: false,
  temporal: 'server',
  workers,
  apis,
  apiRestarts: 1,
  logDir,
  // Both workers past their ensureSchedules before any fault: the two raced, neither was killed first.
  beforeDrive: () => waitForWorkersRunning({ logDir, count: workers, timeoutMs: 120_000 }),
  extraChecks: async ({ client }) => {
    const check = await checkSchedulesCreatedOnce({ client, logDir, startedTogether: workers });
    schedules = check.summary;
    return check.violations;
  },
  log: say,
});
say(
  `${result.leads} leads, ${result.inbound} inbound texts, ${result.sms} SMS at the carrier fake, ${result.retried} requests retried after a 5xx or a refused connection, ${result.faults.length} faults, ${result.seconds} s (toolchain check ${built.toFixed(0)} s; whole run ${((performance.now() - started) / 1000).toFixed(0)} s)`,
);
for (const f of result.faults) say(`  ${f}`);
say(`schedules: ${schedules || 'not checked'}`);
if (args.includes('--keep-logs') || result.violations.length > 0) say(`worker and API logs kept in ${logDir}`);
else rmSync(logDir, { recursive: true, force: true });
if (result.violations.length > 0) {
  say(`${result.violations.length} violations (seed ${seed}):`);
  for (const v of result.violations) say(`  ${v}`);
  process.exit(1);
}
say('no violations');
process.exit(0);
