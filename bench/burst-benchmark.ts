import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { cpuBetween, cpuNow, cpuPer, type CpuSeconds } from './lib/cpu';
import { percentile, round } from './lib/stats';
import { FLOOR_TABLES } from './floor/activities';
import { QUEUES, startFloorWorker } from './floor/floor-benchmark';
import { captureAll, openingZone, zoneless } from './scale-benchmark';
import type { BenchContext } from './stack-benchmarks';

/** One implementation working off `size` first texts whose timers fall due in the same minute. */
export interface BurstRun {
  implementation: 'floor' | 'leadflow';
  size: number;
  /** Started (floor) or captured (leadflow) → every one recorded and parked on its timer. */
  parkSeconds: number;
  /** How many were recorded and waiting on their timer when it fell due (the rest were still being started). */
  recordedBeforeDue: number;
  dueAt: string;
  texted: number;
  /** Due time → the last of them at the carrier fake. */
  drainSeconds: number | null;
  perSecond: number | null;
  p50AfterDueMs: number | null;
  p99AfterDueMs: number | null;
  /** The 1-minute load average when the timers fell due. */
  loadAtDue: number;
  cpuMsPerText: CpuSeconds & { total: number };
}

export interface BurstResult {
  size: number;
  runs: BurstRun[];
  /** leadflow's texts per second ÷ the floor's, the same number of timers on the same stack. */
  ratio: number | null;
}

const load1 = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

/** Waits for `due`, then for the first text to each of `phones` at the carrier fake. */
async function drain(ctx: BenchContext, phones: string[], due: number, deadline: number) {
  while (Date.now() < due) await new Promise((r) => setTimeout(r, 200));
  const loadAtDue = load1();
  const cpuBefore = cpuNow();
  const wanted = new Set(phones);
  const first = new Map<string, number>();
  let seen = ctx.twilio.sent.findIndex((m) => m.receivedAt >= due);
  if (seen < 0) seen = ctx.twilio.sent.length;
  while (first.size < phones.length && Date.now() < deadline) {
    for (; seen < ctx.twilio.sent.length; seen += 1) {
      const m = ctx.twilio.sent[seen]!;
      if (wanted.has(m.to) && !first.has(m.to)) first.set(m.to, m.receivedAt);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const cpu = cpuBetween(cpuBefore, cpuNow());
  const after = [...first.values()].map((at) => at - due);
  const last = after.length ? Math.max(...after) : null;
  return {
    dueAt: new Date(due).toISOString(),
    texted: first.size,
    drainSeconds: last === null ? null : round(last / 1000, 1),
    perSecond: last === null ? null : round(first.size / (last / 1000), 1),
    p50AfterDueMs: round(percentile(after, 50)),
    p99AfterDueMs: round(percentile(after, 99)),
    loadAtDue,
    cpuMsPerText: cpuPer(cpu, Math.max(1, first.size)),
  };
}

/**
 * The timer burst on a fresh stack: `size` first texts falling due in the same minute,
 * first for the floor (its workflow records the lead, sleeps until the minute, sends),
 * then for leadflow (captured through the API into a business whose fixed-offset zone
 * opens its sending window at that minute). Each is measured from the minute to its last
 * text at the carrier fake; the ratio compares the two rates measured on the same stack.
 */
export async function burstBenchmark(
  ctx: BenchContext,
  opts: { size: number; say: (line: string) => void; concurrency?: number },
): Promise<BurstResult> {
  const { say, size } = opts;
  const concurrency = opts.concurrency ?? 24;
  const db = new pg.Client({ connectionString: ctx.ownerDatabaseUrl });
  await db.connect();
  await db.query(FLOOR_TABLES);
  const connection = await Connection.connect({ address: ctx.temporalAddress });
  const client = new Client({ connection });
  const runs: BurstRun[] = [];
  const count = async (sql: string, params: unknown[] = []) => Number((await db.query(sql, params)).rows[0].n);
  const worker = startFloorWorker(ctx, QUEUES.floor, null);
  try {
    // The floor: started straight from a client, each recording its lead then sleeping until due.
    const floorPhones = Array.from({ length: size }, (_, i) => zoneless(5_000_000 + i));
    const floorBefore = await count('SELECT count(*)::int AS n FROM floor_leads');
    // Its timers are set at start, so the minute must leave room to start and record them all
    // even on a busy machine (one run here recorded 557 of 2,000 in 95 s at load 15).
    const floorDue = Math.ceil((Date.now() + size * 60 + 60_000) / 60_000) * 60_000;
    say(`  floor: ${size} workflows, texts due ${new Date(floorDue).toISOString()}…`);
    let startedAt = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < size) {
          const phone = floorPhones[next++]!;
          const leadId = randomUUID();
          await client.workflow.start('floorWorkflow', {
            taskQueue: QUEUES.floor,
            workflowId: `floor-burst-${leadId}`,
            args: [{ leadId, phone, name: 'Bench Lead', dueAt: new Date(floorDue).toISOString() }],
          });
        }
      }),
    );
    let recorded = 0;
    while (recorded < size && Date.now() < floorDue) {
      recorded = (await count('SELECT count(*)::int AS n FROM floor_leads')) - floorBefore;
      if (recorded < size) await new Promise((r) => setTimeout(r, 1_000));
    }
    const floorPark = (performance.now() - startedAt) / 1000;
    if (recorded < size) say(`  only ${recorded} of the floor's recorded before they fell due`);
    const floor = await drain(ctx, floorPhones, floorDue, floorDue + Math.max(600_000, size * 200));
    runs.push({
      implementation: 'floor',
      size,
      parkSeconds: round(floorPark, 1)!,
      recordedBeforeDue: recorded,
      ...floor,
    });
    say(
      `  floor: ${floor.texted}/${size} texted, ${floor.perSecond ?? '—'}/s (last ${floor.drainSeconds ?? '—'} s after due, load ${floor.loadAtDue})`,
    );
    worker.kill('SIGTERM');

    // leadflow: the business's zone opens its window at the due minute; leads without an area take it.
    const before = await count('SELECT count(*)::int AS n FROM leads WHERE business_id = $1::uuid', [ctx.businessId]);
    const opening = openingZone(Date.now() + ((size / 25) * 1.5 + 45) * 1000, Date.now());
    await db.query('UPDATE businesses SET time_zone = $2 WHERE id = $1::uuid', [ctx.businessId, opening.zone]);
    const phones = Array.from({ length: size }, (_, i) => zoneless(i));
    say(`  leadflow: ${size} leads in ${opening.zone}, first texts due ${new Date(opening.at).toISOString()}…`);
    startedAt = performance.now();
    let open = 0;
    let polling = true;
    const poll = (async () => {
      while (polling) {
        open =
          (await count('SELECT count(*)::int AS n FROM leads WHERE business_id = $1::uuid', [ctx.businessId])) - before;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    })();
    const captured = await captureAll(ctx, phones, concurrency, { limit: 3_000, recorded: () => open });
    while (open < captured && Date.now() < opening.at) await new Promise((r) => setTimeout(r, 500));
    polling = false;
    await poll;
    const park = (performance.now() - startedAt) / 1000;
    if (open < captured) say(`  only ${open} of ${captured} recorded before they fell due`);
    const lf = await drain(ctx, phones, opening.at, opening.at + Math.max(600_000, size * 200));
    runs.push({
      implementation: 'leadflow',
      size: captured,
      parkSeconds: round(park, 1)!,
      recordedBeforeDue: open,
      ...lf,
    });
    say(
      `  leadflow: ${lf.texted}/${captured} texted, ${lf.perSecond ?? '—'}/s (last ${lf.drainSeconds ?? '—'} s after due, load ${lf.loadAtDue})`,
    );
    const ratio = lf.perSecond && floor.perSecond ? round(lf.perSecond / floor.perSecond, 2)! : null;
    return { size, runs, ratio };
  } finally {
    if (worker.exitCode === null) worker.kill('SIGTERM');
    await connection.close();
    await db.end();
  }
}

/** RESULTS.md's section for the burst: both rates, the ratio, the method and the command. */
export function burstSection(r: BurstResult | undefined): string[] {
  if (!r) return [];
  const n = (v: number) => v.toLocaleString('en-US');
  const [floor, lf] = [
    r.runs.find((x) => x.implementation === 'floor'),
    r.runs.find((x) => x.implementation === 'leadflow'),
  ];
  const line = (x: BurstRun | undefined) =>
    x
      ? `| ${x.implementation} | ${n(x.texted)}/${n(x.size)} (${n(x.recordedBeforeDue ?? x.size)} recorded by the minute) | ${x.drainSeconds ?? '—'} s | ${x.perSecond ?? '—'}/s | ${x.p50AfterDueMs ?? '—'} ms | ${x.p99AfterDueMs ?? '—'} ms | ${x.cpuMsPerText.total} ms | ${x.loadAtDue} |`
      : '';
  return [
    '## Timer burst: first texts falling due in the same minute',
    '',
    `\`npm run bench -- --only=burst --size=${r.size}\`: one fresh stack. First the floor (\`bench/floor/\`: its workflow records the lead, sleeps until the minute, then sends by a plain form POST; its own worker process), ${n(r.size)} workflows started straight from a client; then leadflow, ${n(r.size)} leads captured through POST /v1/leads into a business whose fixed-offset zone (luxon-style \`UTC±H:MM\`) opens its sending window at the minute, so each lead is recorded and parks on its first reply's timer. Both are measured from the minute their timers fall due to the last first text at the Twilio fake; texts per second = texted ÷ that time. The floor working off the same number of timers on the same stack is the floor's sustainable rate for this shape (its timers, its workflow tasks and its sends go through the same dev server), so the ratio compares like with like even on a shared machine. CPU per text: every process of the stack from /proc over the drain.`,
    '',
    '| implementation | texted | due → last text | texts/s | p50 after due | p99 after due | CPU per text | load at due |',
    '|---|---|---|---|---|---|---|---|',
    line(floor),
    line(lf),
    '',
    `leadflow ÷ floor: **${r.ratio ?? '—'}** (target ≥ 0.9: ${r.ratio === null ? 'not measured' : r.ratio >= 0.9 ? 'met' : 'missed'}).`,
    '',
    "Where leadflow's cost per text went, and where the rest goes (runs of 2,000 texts, with `BENCH_CPU_PROFILE_DIR=dir`). Postgres: the worker's main thread spent 7.8 of its 34 s on socket writes to Postgres (about 0.4 ms a write) until the send's statements became functions that set their own tenant (migration `send_in_one_call`): a send is 4 round trips instead of 9, and Postgres' CPU per text over 10,000 texts fell from 4.8 to 2.7 ms (ratio 0.59 before, 0.62 after). The dev server: it spent about 10 ms a text more than for the floor (32 against 22.8 ms over 10,000) while the first text was a task-queue activity, whose result took a second workflow task; since `local-first-reply` the workflow task the timer wakes sends it as a local activity, publishes the status and starts the follow-up's timer, and the dev server spends less per text than for the floor (21.2 against 28.2 ms over 10,000; the floor's text is still an activity and its workflow then completes). The workflow thread: the SDK records a stack trace for every promise a workflow creates (a promise hook that formats each frame through the bundle's source map; temporalio/sdk-typescript issue 1587), and the lead loop's timer wait raced two promises in a scope of its own at every turn: it now waits on one `condition` (5.4 of the thread's 12.5 s in that hook came from it). Then every statement a send runs became a prepared one (parsed and planned once per pooled connection: `prepared` in db/sql.ts), as did the codec's key lookups: over 10,000 texts leadflow's CPU per text fell from 49.1 to 43.9 ms (the worker 23.8 → 21.2, Postgres 2.7 → 2.2, the dev server 21.2 → 19.3) and its rate from 32.7 to 38.8 texts a second, against the floor's 37.9 and 36.4 in the same runs: 0.86, then 1.07. What remains on the worker (21.2 against the floor's 14.5 ms a text): on the workflow thread, the SDK's own cost per call into the sandbox (each call runs with a timeout, which in Node starts a watchdog thread: 76 µs a call on this machine against 1.6 µs without, about a third of the thread's time) and per promise, the same for any workflow but paid more by a longer one, and each replay evaluating the bundle's modules again; on the main thread, the send's three Postgres round trips (the floor's send has none), the AI composition through the Anthropic SDK and the Twilio SDK. The worker keeps 1,000 workflows in its sticky cache (`WORKER_MAX_CACHED_WORKFLOWS`; the floor's worker takes the SDK's heap-sized default, 2,310 here), which matters only for bursts that fit the larger cache: with 2,500 cached over 2,000 texts the worker's CPU per text fell from 27.3 to 18.6 ms; over 10,000 timers due in start order both caches are churned through and every text replays its workflow first. The floor's own rate moves by a fifth between runs on this machine (46.4/s and 37.9/s over 10,000; 43–66/s over 2,000).",
    '',
  ];
}
