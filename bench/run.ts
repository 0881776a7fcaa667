import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../scripts/toolchain/paths';
import { actionsPerLead, type ActionsResult } from './actions-per-lead';
import { COMPONENTS, type CpuSeconds } from './lib/cpu';
import { captureThroughput, speedToLead, withBenchStack, type SpeedResult, type ThroughputPhase, type ThroughputResult } from './stack-benchmarks';
import { scaleBenchmark, type ScaleResult } from './scale-benchmark';
import { sweepBenchmark, type SweepResult } from './sweep-benchmark';

/**
 * `npm run bench [-- --quick] [-- --only=speed,throughput,actions,sweep] [-- --size=N]`: runs the benchmarks
 * on the real stack and writes bench/RESULTS.md and bench/results.json.
 */
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const only = new Set((onlyArg ?? 'actions,speed,throughput,sweep,scale').split(','));
/** The sweep's row count (default 1,000,000; quick 100,000) and the scale test's open leads (default 100,000; quick 2,000). */
const sizeArg = args.find((a) => a.startsWith('--size='))?.slice('--size='.length);
const say = (l: string) => console.log(`bench: ${l}`);

type Results = { actions?: ActionsResult; speed?: SpeedResult[]; throughput?: ThroughputResult; sweep?: SweepResult; scale?: ScaleResult };
const resultsFile = join(ROOT, 'bench', 'results.json');
// A partial run (--only) replaces its own figures and keeps the others from the last run.
const previous: { results?: Results } = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : {};
const results: Results = { ...previous.results };

if (only.has('actions')) {
  say('Temporal actions per typical lead life (time-skipping server)…');
  results.actions = await actionsPerLead();
  say(`  ${results.actions.actions} actions, ${results.actions.maxEventsPerRun} events in the largest run`);
}

// Each speed run gets a fresh stack: a backlog left by one run must not count against the next.
if (only.has('speed') || only.has('speed-sustained')) {
  const kept = only.has('speed') ? [] : (results.speed ?? []);
  results.speed = [];
  const all = quick
    ? [{ rate: 10, seconds: 10, aiDelayMs: 0 }, { rate: 10, seconds: 10, aiDelayMs: 1500 }]
    : [
        { rate: 5, seconds: 30, aiDelayMs: 0 },
        // The rates between show where this machine stops meeting the target.
        { rate: 20, seconds: 60, aiDelayMs: 0 },
        { rate: 30, seconds: 60, aiDelayMs: 0 },
        { rate: 50, seconds: 60, aiDelayMs: 0 },
        { rate: 20, seconds: 60, aiDelayMs: 1500 },
        { rate: 50, seconds: 60, aiDelayMs: 1500 },
      ];
  // `--only=speed-sustained` re-measures just the sustainable-rate run.
  const runs = only.has('speed') ? all : all.slice(0, 1);
  for (const [i, run] of runs.entries()) {
    say(`speed to lead: ${run.rate} leads/s for ${run.seconds} s, AI answering in ${run.aiDelayMs} ms…`);
    const r = await withBenchStack((ctx) => speedToLead(ctx, { ...run, offset: 10_000 * (i + 1) }));
    say(`  p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms (${r.texted}/${r.captured} texted); CPU per lead ${r.cpuMsPerLead ? `${r.cpuMsPerLead.total} ms` : '—'}`);
    results.speed.push(r);
  }
  for (const old of kept) if (!results.speed.some((r) => r.rate === old.rate && r.aiDelayMs === old.aiDelayMs)) results.speed.push(old);
}

if (only.has('throughput')) {
  await withBenchStack(async (ctx) => {
    say('capture throughput vs raw start-workflow rate…');
    results.throughput = await captureThroughput(ctx, { concurrency: 16, seconds: quick ? 5 : 20, offset: 100_000 });
    say(`  ${results.throughput.capturesPerSecond}/s vs raw ${results.throughput.rawStartsPerSecond}/s (${results.throughput.ratio})`);
  });
}

if (only.has('sweep')) {
  const rows = Number(sizeArg ?? (quick ? 100_000 : 1_000_000));
  if (!Number.isInteger(rows) || rows < 10_000) throw new Error('--size must be a whole number of at least 10000');
  await withBenchStack(async (ctx) => {
    say(`retention sweep of ${rows} expired messages vs a raw batched DELETE, capture latency beside it…`);
    const started = performance.now();
    results.sweep = await sweepBenchmark(ctx, { rows, say });
    say(`  sweep ${results.sweep.sweepRowsPerSecond}/s vs raw ${results.sweep.rawRowsPerSecond}/s (${results.sweep.ratio}); ${((performance.now() - started) / 1000).toFixed(0)} s in all`);
  });
}

if (only.has('scale')) {
  const size = Number(sizeArg ?? (quick ? 2_000 : 100_000));
  if (!Number.isInteger(size) || size < 100) throw new Error('--size must be a whole number of at least 100');
  const burstArg = args.find((a) => a.startsWith('--burst='))?.slice('--burst='.length);
  const burst = Number(burstArg ?? Math.min(10_000, Math.ceil(size / 10)));
  await withBenchStack(async (ctx) => {
    say(`scale: ${size} lead workflows parked on timers, then a burst of ${burst} falling due together…`);
    results.scale = await scaleBenchmark(ctx, { size, burst, say });
    say(`  started ${results.scale.startsPerSecond}/s, parked ${results.scale.parkedPerSecond}/s; worker RSS peak ${results.scale.rss.peakMb} MB; burst ${results.scale.burst.perSecond ?? '—'}/s; ≤ ${results.scale.history.maxEvents} events per run`);
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
const cpuText = (c: CpuSeconds & { total: number }) => `${COMPONENTS.map((k) => `${k === 'bench' ? 'load + fakes' : k} ${c[k]}`).join(', ')} = ${c.total} ms`;
const speedMet = (s: SpeedResult) => (s.p50Ms ?? Infinity) < 1000 && (s.p99Ms ?? Infinity) < 2000 && s.texted === s.captured;
for (const s of [...(results.speed ?? [])].sort((a, b) => a.aiDelayMs - b.aiDelayMs || a.rate - b.rate)) {
  const label = `Speed to lead at ${s.rate} leads/s for ${s.seconds} s, AI ${s.aiDelayMs === 0 ? 'instant' : `${s.aiDelayMs / 1000} s`}`;
  const judged = s.aiDelayMs === 0 && s.rate === 50;
  const target = judged ? 'p50 < 1 s, p99 < 2 s' : 'reported';
  const among = s.texted === s.captured ? '' : ` (among the ${s.texted} of ${s.captured} texted within a minute of the last capture)`;
  const cpu = s.cpuMsPerLead && s.windowSeconds ? `; CPU per lead: ${cpuText(s.cpuMsPerLead)} (${((s.cpuMsPerLead.total * s.texted) / 1000 / s.windowSeconds).toFixed(2)} of 2 cores busy)` : '';
  row(label, `p50 ${s.p50Ms ?? '—'} ms, p99 ${s.p99Ms ?? '—'} ms${among}${cpu}`, target, judged ? (speedMet(s) ? 'met' : 'missed') : speedMet(s) ? 'within p50 < 1 s, p99 < 2 s' : 'over p50 < 1 s, p99 < 2 s');
}
const sustained = (results.speed ?? []).filter((s) => s.aiDelayMs === 0 && speedMet(s)).sort((a, b) => b.rate - a.rate)[0];
if (results.speed?.length) row('Highest rate measured here within p50 < 1 s, p99 < 2 s (AI instant)', sustained ? `${sustained.rate} leads/s` : 'none of the rates measured', '50 leads/s', sustained && sustained.rate >= 50 ? 'met' : 'missed');
if (results.throughput) {
  const t = results.throughput;
  const phaseCpu = (p?: ThroughputPhase) => (p ? cpuText(p.cpuMs) : '—');
  row(
    `Capture throughput (${t.concurrency} concurrent clients, ${t.seconds} s a phase)`,
    t.apiOnly && t.raw && t.rawBare && t.withWorker
      ? `${t.capturesPerSecond}/s through the API with the worker stopped vs ${t.rawStartsPerSecond}/s raw starts shaped like a capture's = ${Math.round(t.ratio * 100)}% (bare starts ${t.rawBare.perSecond}/s); with the worker running every new lead beside it ${t.withWorker.perSecond}/s = ${Math.round((t.withWorkerRatio ?? 0) * 100)}%. Capture p50 ${t.captureP50Ms} ms, p99 ${t.captureP99Ms} ms. CPU per capture: ${phaseCpu(t.apiOnly)}; per raw start: ${phaseCpu(t.raw)}`
      : `${t.capturesPerSecond}/s vs raw start ${t.rawStartsPerSecond}/s = ${Math.round(t.ratio * 100)}%; capture p50 ${t.captureP50Ms} ms, p99 ${t.captureP99Ms} ms`,
    '≥ 80% of raw',
    t.ratio >= 0.8 ? 'met' : 'missed',
  );
}

if (results.sweep) {
  const s = results.sweep;
  const n = s.rows.toLocaleString('en-US');
  row(`Retention sweep delete rate (${n} expired messages, batches of ${s.batchSize.toLocaleString('en-US')})`, `${s.sweepRowsPerSecond.toLocaleString('en-US')} rows/s (${s.sweepSeconds} s) vs raw batched DELETE as the owner ${s.rawRowsPerSecond.toLocaleString('en-US')} rows/s (${s.rawSeconds} s) = ${Math.round(s.ratio * 100)}%; vs the same DELETE under row-level security ${s.rawRlsRowsPerSecond.toLocaleString('en-US')} rows/s = ${Math.round(s.ratioRls * 100)}%`, '≥ 50% of raw', s.ratio >= 0.5 ? 'met' : s.ratioRls >= 0.5 ? 'missed vs the owner; met under the same row-level security' : 'missed');
  row('Capture latency while that sweep runs (1 client, ~2/s)', `p99 ${s.captureDuring.p99Ms} ms during vs ${s.captureWithout.p99Ms} ms without (p50 ${s.captureDuring.p50Ms} vs ${s.captureWithout.p50Ms} ms)`, 'reported', '—');
}

if (results.scale) {
  const s = results.scale;
  const n = (v: number) => v.toLocaleString('en-US');
  const at = `${n(s.size)} open`;
  row(`Scale: lead workflows open at once (asked ${n(s.size)})`, `${n(s.openAtEnd ?? s.started)} running (${n(s.started)} parked + ${n(s.burst.size)} burst)`, '100,000', s.size >= 100_000 && s.reached ? 'met' : `not reached: largest size run ${n(s.size)}`);
  row(`Scale: time to start them (${at}, POST /v1/leads, ${s.concurrency} concurrent)`, `${s.startSeconds} s = ${s.startsPerSecond}/s started; all parked by the worker after ${s.parkedSeconds} s = ${s.parkedPerSecond}/s`, 'reported', '—');
  row(`Scale: worker memory (${at}; WORKER_MAX_CACHED_WORKFLOWS=${n(s.maxCachedWorkflows)})`, `RSS ${s.rss.startMb} MB at start, peak ${s.rss.peakMb} MB, ${s.rss.endMb} MB at the end (${s.rss.samples.length} samples in results.json)`, 'bounded', s.rss.peakMb < 2048 ? 'met' : 'missed');
  row(`Scale: burst of ${n(s.burst.size)} timers falling due in the same minute (${at})`, s.burst.perSecond === null ? `${s.burst.texted} texted` : `${s.burst.texted}/${s.burst.size} texted, the last ${s.burst.drainSeconds} s after due = ${s.burst.perSecond}/s; p50 ${s.burst.p50AfterDueMs} ms, p99 ${s.burst.p99AfterDueMs} ms after due`, '10,000 timers; reported', s.burst.size >= 10_000 && s.burst.texted === s.burst.size ? '—' : `not reached: ${n(s.burst.size)} timers`);
  row(`Scale: history events per workflow run (${s.history.sampled} sampled)`, `max ${s.history.maxEvents}, p50 ${s.history.p50Events ?? '—'}`, '< 2,000', s.history.maxEvents < 2000 ? 'met' : 'missed');
}

mkdirSync(join(ROOT, 'bench'), { recursive: true });
writeFileSync(resultsFile, `${JSON.stringify({ date, machine, quick, results }, null, 2)}\n`);
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
    '## Notes',
    '',
    '- Everything runs on one 2-core machine: Postgres, the Temporal dev server, one worker, the API, the fakes and the load generator share the cores, so ratios measured side by side are the meaningful figures.',
    '- Speed to lead is measured from the moment a capture request is sent to the moment the local Twilio server receives the first SMS for that number, through the real Twilio and Anthropic SDK adapters. The Temporal dev server keeps its state in memory here (`BENCH_TEMPORAL_SQLITE_FILE=1` for the SQLite file `npm start` uses; that halves throughput again).',
    '- The retention sweep runs through the API and the worker as in production, as the runtime login under row-level security: per batch of 5,000 one transaction that re-checks the business\'s legal hold, deletes by row address, updates the run\'s report and appends a hash-chained deletion receipt; messages with a copy at the carrier are read first and deleted there (none here: the seeded messages are local). It walks each category in key order (messages lead by lead), so no batch passes again over what earlier batches deleted. The raw baseline is `DELETE FROM messages WHERE ctid = ANY(ARRAY(SELECT m.ctid … JOIN leads … WHERE last_activity_at < now() - 730 days LIMIT 5000))` in a loop on an identical set, as the table owner (no row-level security); the same statement as `leadflow_compliance` is shown beside it: under row-level security the planner walks the leads\' index again on every batch, past the entries of rows already deleted, and slows down batch after batch. `--size=N` changes the row count. The capture figures come from one client capturing about twice a second; during a sweep this short there are few samples.',
    '- Scale (`--only=scale --size=N [--burst=M]`; quick check `--size=2000`): leads are captured through POST /v1/leads (the API\'s own path: Temporal client start with the payload codec), 24 concurrent clients, for numbers in a zone whose sending window stays closed for hours, so each workflow records its lead (one activity) and parks on its first reply\'s timer at the window\'s opening, the 730-day retention timer behind it; no text goes to them. "Started" is the API\'s 202 rate, "parked" the rate at which the one worker recorded them. Memory: RSS of the worker process sampled every 5 s (results.json); it rises while the sticky cache fills and then stays within a band as ten times as many workflows open (cache evictions), i.e. it does not grow with the number of open workflows. The burst: leads with numbers that have no area (+882) take the business\'s zone, set to a fixed-offset zone (luxon `UTC+H:MM`) whose 08:00 falls on one wall-clock minute shortly after they are all recorded, so their first texts are timers firing in the same minute on the real dev server; measured from that minute until the last text reaches the Twilio fake. These are first replies, not first follow-ups: a follow-up counts from each lead\'s own first reply, so follow-ups falling due in one minute would need every first reply sent beforehand; both take the same path (timer → send activity). Histories: 40 runs sampled. Targets not reached: the full run here reached 20,000 open leads and a burst of 2,000 (not 100,000 and 10,000) in the time this session had: at the measured ~18 parked/s one worker needs ~95 minutes to park 100,000 (CPU-bound on the recording transaction and activations, on 2 cores shared with Postgres, the dev server and the API), and a 10,000 burst at ~13/s about 13 minutes. These figures are noisy: another helper\'s fault-injection tests (killing and restarting workers, Postgres and a dev server) ran on the same two cores throughout.',
    '- Where a target is missed, what limits it: one worker process is CPU-bound at about 5–10 new leads per second (Prisma\'s query compilation and interactive transactions, several per step, plus workflow activations), and the dev server\'s own start rate is a few dozen per second on this machine. Above that the backlog grows and latency with it. The levers are more worker processes on more cores, fewer and leaner queries on the hot path (one transaction per send), and a production Temporal cluster.',
    '',
  ].join('\n'),
);
say('wrote bench/RESULTS.md and bench/results.json');
process.exit(0);
