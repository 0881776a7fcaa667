import { runFaults } from './fault-run';

/**
 * `npm run test:faults [-- --seed=N] [-- --leads=N] [-- --quick]`: the fault-injection run on
 * the real local stack. Exits 1 on any violation, naming the lead ids (never numbers).
 */
const args = process.argv.slice(2);
const arg = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = args.includes('--quick');
const noFaults = args.includes('--no-faults');
const seed = Number(arg('seed') ?? Math.floor(Math.random() * 2 ** 31));
const leads = Number(arg('leads') ?? (quick ? 30 : 100));
if (!Number.isInteger(seed) || seed < 0) throw new Error('--seed must be a whole number ≥ 0');
if (!Number.isInteger(leads) || leads < 1) throw new Error('--leads must be a whole number ≥ 1');
const say = (l: string) => console.log(`faults: ${l}`);

say(`seed ${seed}, ${leads} leads${noFaults ? ', no faults' : ''} (rerun with --seed=${seed})`);
const result = await runFaults({
  seed,
  leads,
  spreadSeconds: Number(arg('spread') ?? (quick ? 45 : 90)),
  postgresDownSeconds: Number(arg('pg-down') ?? 30),
  temporalDownSeconds: Number(arg('temporal-down') ?? 10),
  workerKills: noFaults ? 0 : Number(arg('worker-kills') ?? (quick ? 2 : 4)),
  temporalRestart: !noFaults,
  postgresOutage: !noFaults,
  log: say,
});
say(
  `${result.leads} leads, ${result.inbound} inbound texts, ${result.sms} SMS at the carrier fake, ${result.retried} requests retried after a 5xx, ${result.faults.length} faults, ${result.seconds} s`,
);
for (const f of result.faults) say(`  ${f}`);
if (result.violations.length > 0) {
  say(`${result.violations.length} violations (seed ${seed}):`);
  for (const v of result.violations) say(`  ${v}`);
  process.exit(1);
}
say('no violations');
process.exit(0);
