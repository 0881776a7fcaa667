import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { SEARCH_ATTRIBUTES } from '../../temporal.config';
import { BUSINESS_ID, LEAD_STATUS } from '../../workflows/search-attributes';
import { cpuBetween, cpuNow, cpuPer, type CpuSeconds } from '../lib/cpu';
import { waitForQuiet, type LoadWait } from '../lib/load';
import {
  statementsOrCounters,
  readCounters,
  rowsPer,
  STATS_FLUSH_MS,
  topStatements,
  type RowsPerUnit,
} from '../lib/pg-stats';
import { daytimeNumbers } from '../lib/phones';
import { percentile, round } from '../lib/stats';
import { capture, type BenchContext } from '../stack-benchmarks';
import { FLOOR_TABLES } from './activities';
import { AesGcmCodec } from './codec';
import { seedLeads } from '../db-scale-benchmark';

export const IMPLEMENTATIONS = ['floor', 'floor+', 'leadflow'] as const;
export type Implementation = (typeof IMPLEMENTATIONS)[number];

export interface FloorStep {
  implementation: Implementation;
  rate: number;
  seconds: number;
  started: number;
  texted: number;
  p50Ms: number | null;
  p99Ms: number | null;
  cpuMsPerLead: CpuSeconds & { total: number };
  rows: RowsPerUnit;
  /** The statements that touched the most buffers in the step (pg_stat_statements), per lead. */
  statements?: Awaited<ReturnType<typeof topStatements>>;
  load: LoadWait;
}

export interface FloorResult {
  seconds: number;
  steps: FloorStep[];
}

/** The business's earlier leads, seeded before the steps (bench/db-scale-benchmark.ts: seedLeads). */
export const SEEDED_LEADS = 10_000;
const TWILIO_SID = 'AC00000000000000000000000000000001';
export const QUEUES: Record<'floor' | 'floor+', string> = { floor: 'bench-floor', 'floor+': 'bench-floor-plus' };

export function startFloorWorker(ctx: BenchContext, queue: string, codecKey: string | null): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./worker.ts', import.meta.url))], {
    env: {
      ...process.env,
      FLOOR_DATABASE_URL: ctx.ownerDatabaseUrl,
      FLOOR_TEMPORAL_ADDRESS: ctx.temporalAddress,
      FLOOR_TASK_QUEUE: queue,
      FLOOR_TWILIO_URL: ctx.twilio.url,
      FLOOR_TWILIO_SID: TWILIO_SID,
      FLOOR_TWILIO_TOKEN: 'bench-token',
      ...(codecKey ? { FLOOR_CODEC_KEY: codecKey } : {}),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/**
 * Starts `rate` leads a second for `seconds` and answers each lead's latency from its start
 * to its first text at the carrier fake (a minute's grace after the last start).
 */
async function paced(
  ctx: BenchContext,
  opts: { rate: number; seconds: number; offset: number; start: (phone: string) => Promise<unknown> },
) {
  const total = opts.rate * opts.seconds;
  const phones = daytimeNumbers(total, opts.offset);
  const sentAt = new Map<string, number>();
  const t0 = Date.now();
  const inflight: Array<Promise<unknown>> = [];
  for (let i = 0; i < total; i += 1) {
    const wait = t0 + (i * 1000) / opts.rate - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sentAt.set(phones[i]!, Date.now());
    inflight.push(opts.start(phones[i]!).catch(() => null));
  }
  await Promise.all(inflight);
  const first = new Map<string, number>();
  const deadline = Date.now() + 60_000;
  let seen = 0;
  while (first.size < total && Date.now() < deadline) {
    for (; seen < ctx.twilio.sent.length; seen += 1) {
      const m = ctx.twilio.sent[seen]!;
      if (sentAt.has(m.to) && !first.has(m.to)) first.set(m.to, m.receivedAt);
    }
    if (first.size < total) await new Promise((r) => setTimeout(r, 100));
  }
  const latencies = [...first].map(([phone, at]) => at - sentAt.get(phone)!);
  return { started: total, texted: first.size, latencies };
}

/**
 * leadflow beside the floor and floor+ on the same stack, rate after rate, each step after
 * the machine's load falls below 1 (or a timeout: the load it ran at is recorded).
 */
export async function floorBenchmark(
  ctx: BenchContext,
  opts: {
    rates: number[];
    seconds: number;
    quietTimeoutMs: number;
    say: (line: string) => void;
    /** Only these (`--implementations=leadflow`, e.g. for a CPU profile); all three by default. */
    implementations?: readonly Implementation[];
  },
): Promise<FloorResult> {
  const measured = opts.implementations ?? IMPLEMENTATIONS;
  const owner = new pg.Client({ connectionString: ctx.ownerDatabaseUrl });
  await owner.connect();
  // Which statements read the rows (results.json, each step's `statements`); the pools reconnect in the warm-up.
  const { db, statements } = await statementsOrCounters(ctx, owner, opts.say);
  await db.query(FLOOR_TABLES);
  const key = randomBytes(32);
  const workers = [
    startFloorWorker(ctx, QUEUES.floor, null),
    startFloorWorker(ctx, QUEUES['floor+'], key.toString('hex')),
  ];
  const connection = await Connection.connect({ address: ctx.temporalAddress });
  const plain = new Client({ connection });
  const coded = new Client({ connection, dataConverter: { payloadCodecs: [new AesGcmCodec(key)] } });
  const starters: Record<Implementation, (phone: string) => Promise<unknown>> = {
    floor: (phone) => {
      const leadId = randomUUID();
      return plain.workflow.start('floorWorkflow', {
        taskQueue: QUEUES.floor,
        workflowId: `floor-${leadId}`,
        args: [{ leadId, phone, name: 'Bench Lead' }],
      });
    },
    'floor+': (phone) => {
      const leadId = randomUUID();
      return coded.workflow.start('floorPlusWorkflow', {
        taskQueue: QUEUES['floor+'],
        workflowId: `floor-plus-${leadId}`,
        args: [{ leadId, phone, name: 'Bench Lead', statusAttribute: SEARCH_ATTRIBUTES.leadStatus.name }],
        typedSearchAttributes: [
          { key: BUSINESS_ID, value: ctx.businessId },
          { key: LEAD_STATUS, value: 'new' },
        ],
      });
    },
    leadflow: async (phone) => {
      const status = await capture(ctx.apiUrl, ctx.key, phone);
      if (status !== 202) throw new Error(`capture answered ${status}`);
    },
  };
  try {
    // Warm-up, not measured: each worker bundles its workflows and JIT-compiles its paths.
    for (const [i, impl] of IMPLEMENTATIONS.entries())
      if (measured.includes(impl))
        await paced(ctx, { rate: 2, seconds: 5, offset: 800_000 + i * 1_000, start: starters[impl] });
    // A business with a history, as in production: on a fresh stack's few pages the planner
    // rightly scans whole tables (the first step read 600–1,000 rows a lead that way, the
    // statements in results.json), which says nothing about a live database. 10,000 earlier
    // leads (each with a message and its key), and every table analysed as autovacuum keeps them.
    await seedLeads(db, ctx.businessId, SEEDED_LEADS);
    await db.query('ANALYZE');
    const steps: FloorStep[] = [];
    let offset = 810_000;
    for (const rate of opts.rates)
      for (const impl of measured) {
        const load = await waitForQuiet({ timeoutMs: opts.quietTimeoutMs });
        if (statements) await db.query('SELECT pg_stat_statements_reset()');
        const rowsBefore = await readCounters(db);
        const cpuBefore = cpuNow();
        const run = await paced(ctx, { rate, seconds: opts.seconds, offset, start: starters[impl] });
        const cpuUsed = cpuBetween(cpuBefore, cpuNow());
        offset += rate * opts.seconds + 100;
        await new Promise((r) => setTimeout(r, STATS_FLUSH_MS));
        const step: FloorStep = {
          implementation: impl,
          rate,
          seconds: opts.seconds,
          started: run.started,
          texted: run.texted,
          p50Ms: round(percentile(run.latencies, 50)),
          p99Ms: round(percentile(run.latencies, 99)),
          cpuMsPerLead: cpuPer(cpuUsed, run.texted),
          rows: rowsPer(rowsBefore, await readCounters(db), run.texted),
          statements: statements ? await topStatements(db, run.texted) : [],
          load,
        };
        opts.say(
          `  ${impl} at ${rate}/s (load ${load.load1}): p50 ${step.p50Ms} ms, p99 ${step.p99Ms} ms, ${step.texted}/${step.started} texted, CPU ${step.cpuMsPerLead.total} ms/lead, ${step.rows.read} rows read, ${step.rows.written} written`,
        );
        steps.push(step);
      }
    return { seconds: opts.seconds, steps };
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await connection.close();
    await db.end();
  }
}

/** RESULTS.md rows (figure, value, target, verdict): each step, then leadflow ÷ floor+. */
export function floorRows(
  f: FloorResult,
  cpuText: (c: CpuSeconds & { total: number }) => string,
): Array<[string, string, string, string]> {
  const out: Array<[string, string, string, string]> = [];
  const at = (impl: Implementation, rate: number) => f.steps.find((s) => s.implementation === impl && s.rate === rate);
  const within = (s?: FloorStep) => !!s && s.texted === s.started && (s.p99Ms ?? Infinity) < 2000;
  const best = (impl: Implementation) =>
    f.steps
      .filter((s) => s.implementation === impl && within(s))
      .map((s) => s.rate)
      .sort((a, b) => b - a)[0] ?? 0;
  const rates = [...new Set(f.steps.map((s) => s.rate))].sort((a, b) => a - b);
  for (const rate of rates)
    for (const impl of IMPLEMENTATIONS) {
      const s = at(impl, rate);
      if (!s) continue;
      out.push([
        `${impl} at ${rate} leads/s for ${s.seconds} s (load ${s.load.load1} at the start${s.load.settled ? '' : ', not below 1'})`,
        `p50 ${s.p50Ms ?? '—'} ms, p99 ${s.p99Ms ?? '—'} ms (${s.texted}/${s.started} texted); CPU per lead ${cpuText(s.cpuMsPerLead)}; Postgres per lead ${s.rows.read} rows read, ${s.rows.written} written, ${s.rows.commits} commits`,
        'reported',
        within(s) ? 'p99 < 2 s' : 'p99 ≥ 2 s',
      ]);
    }
  const lf = best('leadflow');
  const fp = best('floor+');
  out.push([
    `Highest rate measured with p99 < 2 s (of ${rates.join(', ')}): leadflow ÷ floor+`,
    `${lf} ÷ ${fp} leads/s = ${fp ? (lf / fp).toFixed(2) : '—'} (floor ${best('floor')}/s)`,
    '≥ 0.9',
    fp && lf / fp >= 0.9 ? 'met' : 'missed',
  ]);
  for (const rate of rates) {
    const l = at('leadflow', rate);
    const p = at('floor+', rate);
    if (!l?.texted || !p?.texted) continue;
    const cpu = l.cpuMsPerLead.total / p.cpuMsPerLead.total;
    out.push([
      `leadflow ÷ floor+ at ${rate} leads/s`,
      `CPU per lead ${l.cpuMsPerLead.total} ÷ ${p.cpuMsPerLead.total} ms = ${cpu.toFixed(2)}; Postgres rows read ${l.rows.read} ÷ ${p.rows.read}, written ${l.rows.written} ÷ ${p.rows.written}; p99 ${l.p99Ms} ÷ ${p.p99Ms} ms`,
      'CPU ≤ 1.15',
      cpu <= 1.15 ? 'met' : 'missed',
    ]);
  }
  return out;
}
