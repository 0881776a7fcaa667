import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../scripts/toolchain/paths';
import { actionsPerLead, type ActionsResult } from './actions-per-lead';
import { captureThroughput, speedToLead, withBenchStack, type SpeedResult, type ThroughputResult } from './stack-benchmarks';

/**
 * `npm run bench [-- --quick] [-- --only speed,throughput,actions]`: runs the benchmarks
 * on the real stack and writes bench/RESULTS.md and bench/results.json.
 */
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const only = new Set((onlyArg ?? 'actions,speed,throughput').split(','));
const say = (l: string) => console.log(`bench: ${l}`);

const results: { actions?: ActionsResult; speed?: SpeedResult[]; throughput?: ThroughputResult } = {};

if (only.has('actions')) {
  say('Temporal actions per typical lead life (time-skipping server)…');
  results.actions = await actionsPerLead();
  say(`  ${results.actions.actions} actions, ${results.actions.maxEventsPerRun} events in the largest run`);
}

if (only.has('speed') || only.has('throughput')) {
  await withBenchStack(async (ctx) => {
    if (only.has('speed')) {
      results.speed = [];
      for (const [i, aiDelayMs] of [0, 1500].entries()) {
        const rate = quick ? 10 : 50;
        const seconds = quick ? 10 : 60;
        say(`speed to lead: ${rate} leads/s for ${seconds} s, AI answering in ${aiDelayMs} ms…`);
        const r = await speedToLead(ctx, { rate, seconds, aiDelayMs, offset: 10_000 * (i + 1) });
        say(`  p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms (${r.texted}/${r.captured} texted)`);
        results.speed.push(r);
      }
    }
    if (only.has('throughput')) {
      say('capture throughput vs raw start-workflow rate…');
      results.throughput = await captureThroughput(ctx, { concurrency: 16, seconds: quick ? 5 : 20, offset: 100_000 });
      say(`  ${results.throughput.capturesPerSecond}/s vs raw ${results.throughput.rawStartsPerSecond}/s (${results.throughput.ratio})`);
    }
  });
}

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const date = new Date().toISOString().slice(0, 10);
const rows: string[] = [];
const row = (figure: string, value: string, target: string, verdict: string) => rows.push(`| ${figure} | ${value} | ${target} | ${verdict} |`);
if (results.actions) {
  const a = results.actions;
  row('Temporal actions per typical lead life', `${a.actions} (${Object.entries(a.byKind).map(([k, v]) => `${v} ${k}`).join(', ')})`, '≤ 30', a.actions <= 30 ? 'met' : 'missed');
  row('History events in the largest run of that life', String(a.maxEventsPerRun), '< 2,000', a.maxEventsPerRun < 2000 ? 'met' : 'missed');
}
for (const s of results.speed ?? []) {
  const label = `Speed to lead at ${s.rate} leads/s for ${s.seconds} s, AI ${s.aiDelayMs === 0 ? 'instant' : `${s.aiDelayMs / 1000} s`}`;
  const target = s.aiDelayMs === 0 ? 'p50 < 1 s, p99 < 2 s' : 'reported';
  const met = s.aiDelayMs === 0 ? (s.p50Ms ?? Infinity) < 1000 && (s.p99Ms ?? Infinity) < 2000 && s.texted === s.captured : true;
  row(label, `p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms; ${s.texted}/${s.captured} texted`, target, s.aiDelayMs === 0 ? (met ? 'met' : 'missed') : '—');
}
if (results.throughput) {
  const t = results.throughput;
  row(`Capture throughput (${t.concurrency} concurrent clients, ${t.seconds} s)`, `${t.capturesPerSecond}/s vs raw start ${t.rawStartsPerSecond}/s = ${Math.round(t.ratio * 100)}%; capture p50 ${t.captureP50Ms} ms, p99 ${t.captureP99Ms} ms`, '≥ 80% of raw', t.ratio >= 0.8 ? 'met' : 'missed');
}

mkdirSync(join(ROOT, 'bench'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify({ date, machine, quick, results }, null, 2)}\n`);
writeFileSync(
  join(ROOT, 'bench', 'RESULTS.md'),
  [
    '# Benchmark results',
    '',
    `Measured ${date} on ${machine}${quick ? ' (quick sizes)' : ''} with \`npm run bench\`. Raw numbers: \`bench/results.json\`.`,
    '',
    '| figure | value | target | verdict |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n'),
);
say('wrote bench/RESULTS.md and bench/results.json');
process.exit(0);
