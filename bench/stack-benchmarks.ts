import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config/load-config';
import { startLocalStack, type StackControl } from '../scripts/stack';
import { startAnthropicFake } from '../test/fakes/anthropic-fake';
import { startTwilioFake } from '../test/fakes/twilio-fake';
import { BUSINESS_ID, LEAD_STATUS } from '../workflows/search-attributes';
import { cpuBetween, cpuNow, cpuPer, type CpuSeconds } from './lib/cpu';
import { daytimeNumbers } from './lib/phones';
import { percentile, round } from './lib/stats';

export interface SpeedResult {
  aiDelayMs: number;
  rate: number;
  seconds: number;
  captured: number;
  texted: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** CPU milliseconds per lead texted, by component, over the measured window. */
  cpuMsPerLead?: CpuSeconds & { total: number };
  /** Wall-clock seconds of that window: CPU seconds / this = cores busy. */
  windowSeconds?: number;
}

export interface ThroughputPhase {
  perSecond: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** CPU milliseconds per start or capture, by component. */
  cpuMs: CpuSeconds & { total: number };
}

export interface ThroughputResult {
  concurrency: number;
  seconds: number;
  /** Raw starts shaped like a capture's (the lead workflow's input, search attributes and memo): the baseline. */
  rawStartsPerSecond: number;
  /** Captures through the API with the worker stopped: the API's own cost over a raw start (like for like). */
  capturesPerSecond: number;
  ratio: number;
  captureP50Ms: number | null;
  captureP99Ms: number | null;
  raw?: ThroughputPhase;
  /** Bare starts: no input, no search attributes, no memo. */
  rawBare?: ThroughputPhase;
  /** The capture-shaped raw starts before and after the captures; `raw` is their mean. */
  rawFirst?: ThroughputPhase;
  rawLast?: ThroughputPhase;
  apiOnly?: ThroughputPhase;
  /** Captures while the worker also runs every new lead (recording, first reply) on the same two cores. */
  withWorker?: ThroughputPhase;
  withWorkerRatio?: number;
}

export interface BenchContext {
  apiUrl: string;
  key: string;
  temporalAddress: string;
  ownerDatabaseUrl: string;
  runtimeDatabaseUrl: string;
  businessId: string;
  twilio: Awaited<ReturnType<typeof startTwilioFake>>;
  anthropic: Awaited<ReturnType<typeof startAnthropicFake>>;
  control: StackControl;
}

const consent = { text: 'I agree to receive texts about my request. Reply STOP to opt out.' };

/**
 * The real stack — Postgres, the Temporal dev server, a worker and the API as separate
 * processes — with the real Twilio and Anthropic adapters pointed at local fakes, so
 * "accepted by the SMS provider" is the moment the Twilio fake receives the request.
 */
export async function withBenchStack<T>(fn: (ctx: BenchContext) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'leadflow-bench-'));
  const twilio = await startTwilioFake();
  const anthropic = await startAnthropicFake();
  const stack = await startLocalStack({
    config: loadConfig({}),
    dataDir,
    log: () => {},
    stdio: 'ignore',
    // The SQLite file npm start uses (write-ahead log); BENCH_TEMPORAL_IN_MEMORY=1 for the in-memory store.
    temporalPersistent: process.env.BENCH_TEMPORAL_IN_MEMORY !== '1',
    // BENCH_CPU_PROFILE_DIR=dir: V8 CPU profiles of the worker and the API, written when they stop.
    nodeArgs: process.env.BENCH_CPU_PROFILE_DIR
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE_DIR}`]
      : [],
    env: {
      LOG_LEVEL: 'warn',
      WORKER_METRICS_PORT: '0',
      TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000001',
      TWILIO_AUTH_TOKEN: 'bench-token',
      TWILIO_API_BASE_URL: twilio.url,
      PUBLIC_BASE_URL: 'http://127.0.0.1:9',
      ANTHROPIC_API_KEY: 'bench-key',
      ANTHROPIC_BASE_URL: anthropic.url,
    },
  });
  try {
    await warmUp(stack.apiUrl, stack.demo.ownerKey!, twilio);
    return await fn({
      apiUrl: stack.apiUrl,
      key: stack.demo.ownerKey!,
      temporalAddress: stack.temporalAddress,
      ownerDatabaseUrl: stack.ownerDatabaseUrl,
      runtimeDatabaseUrl: stack.runtimeDatabaseUrl,
      businessId: stack.demo.businessId,
      twilio,
      anthropic,
      control: stack.control,
    });
  } finally {
    await stack.stop();
    await twilio.close();
    await anthropic.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function capture(apiUrl: string, key: string, phone: string): Promise<number> {
  const res = await fetch(`${apiUrl}/v1/leads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Bench Lead', phone, consent }),
  });
  await res.arrayBuffer();
  return res.status;
}

/**
 * The API answers before the worker has bundled its workflows (seconds of CPU): one lead
 * all the way to its first text, so no measurement shares the cores with a start-up.
 */
async function warmUp(apiUrl: string, key: string, twilio: BenchContext['twilio']) {
  const [phone] = daytimeNumbers(1, 7_000_000);
  const status = await capture(apiUrl, key, phone!);
  if (status !== 202) throw new Error(`the warm-up capture was answered ${status}`);
  await twilio.waitForSent(twilio.sent.length + 1, 120_000);
}

/** Captures at a fixed rate; each lead's latency is capture sent → its first SMS at the carrier. */
export async function speedToLead(
  ctx: BenchContext,
  opts: { rate: number; seconds: number; aiDelayMs: number; offset: number },
): Promise<SpeedResult> {
  ctx.anthropic.setDelay(opts.aiDelayMs);
  // Warm-up, not measured: the first leads of a fresh worker pay for JIT and caches.
  const warm = daytimeNumbers(20, opts.offset + 5_000);
  const textedBefore = ctx.twilio.sent.length;
  for (const phone of warm) {
    await capture(ctx.apiUrl, ctx.key, phone);
    await new Promise((r) => setTimeout(r, 250));
  }
  await ctx.twilio.waitForSent(textedBefore + warm.length, 60_000).catch(() => {});
  const total = opts.rate * opts.seconds;
  const phones = daytimeNumbers(total, opts.offset);
  const sentAt = new Map<string, number>();
  const cpuBefore = cpuNow();
  const started = Date.now();
  const inflight: Array<Promise<number>> = [];
  for (let i = 0; i < total; i += 1) {
    const due = started + (i * 1000) / opts.rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sentAt.set(phones[i]!, Date.now());
    inflight.push(capture(ctx.apiUrl, ctx.key, phones[i]!));
  }
  const statuses = await Promise.all(inflight);
  const deadline = Date.now() + 60_000 + opts.aiDelayMs * 2;
  const firstTextAt = () => {
    const first = new Map<string, number>();
    for (const m of ctx.twilio.sent) if (sentAt.has(m.to) && !first.has(m.to)) first.set(m.to, m.receivedAt);
    return first;
  };
  while (firstTextAt().size < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  const first = firstTextAt();
  const cpuUsed = cpuBetween(cpuBefore, cpuNow());
  const windowSeconds = (Date.now() - started) / 1000;
  const latencies = [...first].map(([phone, at]) => at - sentAt.get(phone)!);
  return {
    aiDelayMs: opts.aiDelayMs,
    rate: opts.rate,
    seconds: opts.seconds,
    captured: statuses.filter((s) => s === 202).length,
    texted: first.size,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    cpuMsPerLead: cpuPer(cpuUsed, first.size),
    windowSeconds: round(windowSeconds, 1)!,
  };
}

async function closedLoop(
  concurrency: number,
  seconds: number,
  op: () => Promise<boolean>,
): Promise<{ ok: number; latencies: number[] }> {
  const until = Date.now() + seconds * 1000;
  let ok = 0;
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        const t = performance.now();
        if (await op()) ok += 1;
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { ok, latencies };
}

async function phase(
  concurrency: number,
  seconds: number,
  op: () => Promise<boolean>,
): Promise<ThroughputPhase & { ok: number }> {
  const before = cpuNow();
  const { ok, latencies } = await closedLoop(concurrency, seconds, op);
  return {
    ok,
    perSecond: round(ok / seconds, 1)!,
    p50Ms: round(percentile(latencies, 50), 1),
    p99Ms: round(percentile(latencies, 99), 1),
    cpuMs: cpuPer(cpuBetween(before, cpuNow()), ok),
  };
}

/**
 * Capture rate through the API beside the raw start-workflow rate of the same dev server,
 * in one run: raw starts from a Temporal client (bare, and shaped like a capture's: the
 * same input, search attributes and memo, to a task queue nobody polls); captures while the worker
 * runs each new lead; then captures with the worker stopped, the like-for-like figure
 * (each capture is a start whose workflow nobody runs yet: it waits in Temporal, as
 * captures do while workers are down, and runs once the worker is back).
 */
export async function captureThroughput(
  ctx: BenchContext,
  opts: { concurrency: number; seconds: number; offset: number },
): Promise<ThroughputResult> {
  const connection = await Connection.connect({ address: ctx.temporalAddress });
  const client = new Client({ connection });
  try {
    const rawBare = await phase(opts.concurrency, opts.seconds, async () => {
      await client.workflow.start('benchNoop', {
        taskQueue: 'bench-raw-starts',
        workflowId: `bench-${randomUUID()}`,
        args: [],
      });
      return true;
    });
    // What the API's start carries, sent straight from a Temporal client to a task queue nobody polls.
    const rawStart = async () => {
      const leadId = randomUUID();
      const at = new Date().toISOString();
      await client.workflow.start('leadWorkflow', {
        taskQueue: 'bench-raw-starts',
        workflowId: `bench-lead-${leadId}`,
        args: [
          {
            leadId,
            businessId: ctx.businessId,
            lead: {
              name: 'Bench Lead',
              phone: '+12125550100',
              source: 'api',
              consent: { ...consent, at, method: 'api' },
            },
            capturedAt: at,
            dataKeyId: randomUUID(),
          },
        ],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: BUSINESS_ID, value: ctx.businessId },
          { key: LEAD_STATUS, value: 'new' },
        ],
        memo: { label: `Lead ${leadId.slice(0, 8)}` },
      });
      return true;
    };
    const rawBefore = await phase(opts.concurrency, opts.seconds, rawStart);
    const phones = daytimeNumbers(200_000, opts.offset);
    let next = 0;
    const captureOne = async () => (await capture(ctx.apiUrl, ctx.key, phones[next++]!)) === 202;
    const textedBefore = ctx.twilio.sent.length;
    const withWorker = await phase(opts.concurrency, opts.seconds, captureOne);
    // The worker finishes those leads first: their tasks must not count against the next phase.
    await ctx.twilio.waitForSent(textedBefore + withWorker.ok, 300_000).catch(() => {});
    await ctx.control.killWorker();
    const apiOnly = await phase(opts.concurrency, opts.seconds, captureOne).finally(() => ctx.control.startWorker());
    // Measured again after the captures: the dev server holds more workflows by then, and
    // the baseline is the mean of both, so neither side gains from going first.
    const rawAfter = await phase(opts.concurrency, opts.seconds, rawStart);
    const mean = (a: number | null, b: number | null) => (a === null || b === null ? null : round((a + b) / 2, 1));
    const raw: ThroughputPhase & { ok: number } = {
      ok: rawBefore.ok + rawAfter.ok,
      perSecond: mean(rawBefore.perSecond, rawAfter.perSecond)!,
      p50Ms: mean(rawBefore.p50Ms, rawAfter.p50Ms),
      p99Ms: mean(rawBefore.p99Ms, rawAfter.p99Ms),
      cpuMs: Object.fromEntries(
        Object.entries(rawBefore.cpuMs).map(([k, v]) => [
          k,
          mean(v, rawAfter.cpuMs[k as keyof typeof rawAfter.cpuMs])!,
        ]),
      ) as ThroughputPhase['cpuMs'],
    };
    const strip = ({ ok: _ok, ...rest }: ThroughputPhase & { ok: number }): ThroughputPhase => rest;
    return {
      concurrency: opts.concurrency,
      seconds: opts.seconds,
      rawStartsPerSecond: raw.perSecond,
      capturesPerSecond: apiOnly.perSecond,
      ratio: round(apiOnly.perSecond / raw.perSecond, 2)!,
      captureP50Ms: apiOnly.p50Ms,
      captureP99Ms: apiOnly.p99Ms,
      raw: strip(raw),
      rawBare: strip(rawBare),
      rawFirst: strip(rawBefore),
      rawLast: strip(rawAfter),
      apiOnly: strip(apiOnly),
      withWorker: strip(withWorker),
      withWorkerRatio: round(withWorker.perSecond / raw.perSecond, 2)!,
    };
  } finally {
    await connection.close();
  }
}
