import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config/load-config';
import { startLocalStack } from '../scripts/stack';
import { startAnthropicFake } from '../test/fakes/anthropic-fake';
import { startTwilioFake } from '../test/fakes/twilio-fake';
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
}

export interface ThroughputResult {
  concurrency: number;
  seconds: number;
  rawStartsPerSecond: number;
  capturesPerSecond: number;
  ratio: number;
  captureP50Ms: number | null;
  captureP99Ms: number | null;
}

const consent = { text: 'I agree to receive texts about my request. Reply STOP to opt out.' };

/**
 * The real stack — Postgres, the Temporal dev server, a worker and the API as separate
 * processes — with the real Twilio and Anthropic adapters pointed at local fakes, so
 * "accepted by the SMS provider" is the moment the Twilio fake receives the request.
 */
export async function withBenchStack<T>(fn: (ctx: { apiUrl: string; key: string; temporalAddress: string; ownerDatabaseUrl: string; runtimeDatabaseUrl: string; businessId: string; twilio: Awaited<ReturnType<typeof startTwilioFake>>; anthropic: Awaited<ReturnType<typeof startAnthropicFake>> }) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'leadflow-bench-'));
  const twilio = await startTwilioFake();
  const anthropic = await startAnthropicFake();
  const stack = await startLocalStack({
    config: loadConfig({}),
    dataDir,
    log: () => {},
    stdio: 'ignore',
    temporalPersistent: process.env.BENCH_TEMPORAL_SQLITE_FILE === '1',
    // BENCH_CPU_PROFILE_DIR=dir: V8 CPU profiles of the worker and the API, written when they stop.
    nodeArgs: process.env.BENCH_CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE_DIR}`] : [],
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
    return await fn({ apiUrl: stack.apiUrl, key: stack.demo.ownerKey!, temporalAddress: stack.temporalAddress, ownerDatabaseUrl: stack.ownerDatabaseUrl, runtimeDatabaseUrl: stack.runtimeDatabaseUrl, businessId: stack.demo.businessId, twilio, anthropic });
  } finally {
    await stack.stop();
    await twilio.close();
    await anthropic.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function capture(apiUrl: string, key: string, phone: string): Promise<number> {
  const res = await fetch(`${apiUrl}/v1/leads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Bench Lead', phone, consent }),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Captures at a fixed rate; each lead's latency is capture sent → its first SMS at the carrier. */
export async function speedToLead(ctx: Parameters<Parameters<typeof withBenchStack>[0]>[0], opts: { rate: number; seconds: number; aiDelayMs: number; offset: number }): Promise<SpeedResult> {
  ctx.anthropic.setDelay(opts.aiDelayMs);
  // Warm-up, not measured: the first leads of a fresh worker pay for JIT and caches.
  const warm = daytimeNumbers(20, opts.offset + 5_000);
  for (const phone of warm) {
    await capture(ctx.apiUrl, ctx.key, phone);
    await new Promise((r) => setTimeout(r, 250));
  }
  await ctx.twilio.waitForSent(ctx.twilio.sent.length >= 20 ? ctx.twilio.sent.length : 20, 60_000).catch(() => {});
  const total = opts.rate * opts.seconds;
  const phones = daytimeNumbers(total, opts.offset);
  const sentAt = new Map<string, number>();
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
  const latencies = [...first].map(([phone, at]) => at - sentAt.get(phone)!);
  return {
    aiDelayMs: opts.aiDelayMs,
    rate: opts.rate,
    seconds: opts.seconds,
    captured: statuses.filter((s) => s === 202).length,
    texted: first.size,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
  };
}

async function closedLoop(concurrency: number, seconds: number, op: () => Promise<boolean>): Promise<{ ok: number; latencies: number[] }> {
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

/** Capture rate through the API beside the raw start-workflow rate of the same dev server, measured in one run. */
export async function captureThroughput(ctx: Parameters<Parameters<typeof withBenchStack>[0]>[0], opts: { concurrency: number; seconds: number; offset: number }): Promise<ThroughputResult> {
  const connection = await Connection.connect({ address: ctx.temporalAddress });
  const client = new Client({ connection });
  try {
    // A workflow type no worker serves: the start alone is measured.
    const raw = await closedLoop(opts.concurrency, opts.seconds, async () => {
      await client.workflow.start('benchNoop', { taskQueue: 'bench-raw-starts', workflowId: `bench-${randomUUID()}`, args: [] });
      return true;
    });
    const phones = daytimeNumbers(200_000, opts.offset);
    let next = 0;
    const captures = await closedLoop(opts.concurrency, opts.seconds, async () => (await capture(ctx.apiUrl, ctx.key, phones[next++]!)) === 202);
    const rawRate = raw.ok / opts.seconds;
    const captureRate = captures.ok / opts.seconds;
    return {
      concurrency: opts.concurrency,
      seconds: opts.seconds,
      rawStartsPerSecond: round(rawRate, 1)!,
      capturesPerSecond: round(captureRate, 1)!,
      ratio: round(captureRate / rawRate, 2)!,
      captureP50Ms: round(percentile(captures.latencies, 50), 1),
      captureP99Ms: round(percentile(captures.latencies, 99), 1),
    };
  } finally {
    await connection.close();
  }
}
