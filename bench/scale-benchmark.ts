import { readdirSync, readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { loadConfig } from '../config/load-config';
import { leadTimeZone } from '../activities/leads/lead-time-zone';
import { nextSendTime } from '../domain/quiet-hours';
import { normalisePhone } from '../domain/phone';
import { leadWorkflowId } from '../workflows/lead/definitions';
import { percentile, round } from './lib/stats';

export interface ScaleResult {
  /** Lead workflows asked for (`--size`). */
  size: number;
  /** How they were started: POST /v1/leads, the API's own capture path (Temporal client start, payload codec). */
  path: 'api';
  concurrency: number;
  /** Captures pause while more than this many captured leads are not recorded yet. */
  backlogLimit?: number;
  /** Captures answered 202: each one a lead workflow started. */
  started: number;
  startSeconds: number;
  startsPerSecond: number;
  /** Until every one of them had recorded its lead and parked on its timer (the worker's side). */
  parkedSeconds: number;
  parkedPerSecond: number;
  /** Running lead workflows Temporal's visibility counts at the end (parked + burst). */
  openAtEnd: number | null;
  /** Where the parked leads wait: their first reply's timer at the opening of their sending window, hours away. */
  parkedZone: string;
  parkedUntil: string;
  maxCachedWorkflows: number;
  rss: {
    startMb: number;
    peakMb: number;
    endMb: number;
    temporalPeakMb?: number;
    samples: Array<{ s: number; mb: number; open: number; temporalMb?: number }>;
  };
  burst: {
    size: number;
    zone: string;
    dueAt: string;
    waitedSeconds: number;
    texted: number;
    /** Due time → the last of them at the carrier. */
    drainSeconds: number | null;
    perSecond: number | null;
    p50AfterDueMs: number | null;
    p99AfterDueMs: number | null;
  };
  history: { sampled: number; maxEvents: number; p50Events: number | null };
  reached: boolean;
}

interface Ctx {
  apiUrl: string;
  key: string;
  temporalAddress: string;
  ownerDatabaseUrl: string;
  businessId: string;
  twilio: { sent: Array<{ to: string; receivedAt: number }> };
}

const consent = { text: 'I agree to receive texts about my request. Reply STOP to opt out.' };
const HOUR = 3_600_000;

/** Geographic numbers by zone: the parked leads use one whose sending window is closed for hours yet. */
const GEO: Array<{ zone: string; number: (i: number) => string }> = [
  { zone: 'Asia/Tokyo', number: (i) => `+813${String(20_000_000 + i)}` },
  { zone: 'America/New_York', number: (i) => `+1212${String(2_000_000 + i)}` },
  { zone: 'America/Los_Angeles', number: (i) => `+1415${String(2_000_000 + i)}` },
  { zone: 'Pacific/Honolulu', number: (i) => `+1808${String(2_000_000 + i)}` },
  { zone: 'Europe/London', number: (i) => `+44207${String(2_000_000 + i)}` },
  { zone: 'Australia/Sydney', number: (i) => `+612${String(90_000_000 + i)}` },
  // libphonenumber's data names India's zone by its older alias.
  { zone: 'Asia/Calcutta', number: (i) => `+9122${String(20_000_000 + i)}` },
  { zone: 'Asia/Dubai', number: (i) => `+9714${String(2_000_000 + i)}` },
  { zone: 'Europe/Paris', number: (i) => `+331${String(20_000_000 + i)}` },
  { zone: 'America/Sao_Paulo', number: (i) => `+5511${String(20_000_000 + i)}` },
];

/** Numbers with no area (international networks, +882): their lead takes the business's zone. */
export const zoneless = (i: number) => `+882234${String(i).padStart(7, '0')}`;

async function parkedNumbers(
  count: number,
  now: number,
): Promise<{ zone: string; opensAt: number; numbers: string[] }> {
  for (const g of GEO) {
    const opensAt = nextSendTime(new Date(now), g.zone).getTime();
    if (opensAt - now < 3 * HOUR) continue;
    const sample = g.number(0);
    const ok = normalisePhone(sample);
    if (!ok.ok || ok.e164 !== sample || (await leadTimeZone(sample, 'UTC')) !== g.zone) continue;
    if (count > 10_000_000) throw new Error('--size is limited to 10,000,000 numbers per zone');
    return { zone: g.zone, opensAt, numbers: Array.from({ length: count }, (_, i) => g.number(i)) };
  }
  throw new Error('no benchmark zone has its sending window closed for the next 3 hours');
}

/**
 * A fixed-offset zone (luxon's `UTC+H:MM`, as a business's zone) whose 08:00 falls on the
 * first whole minute at or after `earliest`: the burst leads' first texts all fall due then.
 */
export function openingZone(earliest: number, now: number): { zone: string; at: number } {
  const at = Math.ceil(earliest / 60_000) * 60_000;
  const minuteOfDay = Math.floor((at % 86_400_000) / 60_000);
  let offset = (((8 * 60 - minuteOfDay) % 1440) + 1440) % 1440;
  if (offset > 14 * 60) offset -= 1440;
  const abs = Math.abs(offset);
  const zone = `UTC${offset < 0 ? '-' : '+'}${Math.floor(abs / 60)}:${String(abs % 60).padStart(2, '0')}`;
  if (nextSendTime(new Date(now), zone).getTime() !== at)
    throw new Error(`zone ${zone} does not open at ${new Date(at).toISOString()}`);
  return { zone, at };
}

/** This process's children whose command line contains `part`. */
function childPids(part: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(part)) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
};

async function capture(apiUrl: string, key: string, phone: string): Promise<number> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      const res = await fetch(`${apiUrl}/v1/leads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Bench Lead', phone, consent }),
      });
      await res.arrayBuffer();
      if (res.status !== 429 && res.status < 500) return res.status;
      if (attempt >= 5) return res.status;
    } catch (err) {
      if (attempt >= 5) throw err;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/**
 * Captures every number, `concurrency` at a time; with `backlog`, new captures wait while
 * more than `limit` captured leads are not recorded yet. Unbounded, 100,000 starts pile
 * tens of thousands of first workflow tasks onto the dev server, whose single SQLite
 * connection then answers its own persistence calls past their deadlines (and, in one
 * run here, crashed inside the SQLite driver); real traffic does not arrive that way.
 */
export async function captureAll(
  ctx: Ctx,
  phones: string[],
  concurrency: number,
  backlog?: { limit: number; recorded: () => number },
): Promise<number> {
  let next = 0;
  let ok = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < phones.length) {
        for (let waited = 0; backlog && ok - backlog.recorded() > backlog.limit; waited += 200) {
          if (waited > 180_000)
            throw new Error(`no lead was recorded for 3 minutes (${backlog.recorded()} of ${ok} captured)`);
          await new Promise((r) => setTimeout(r, 200));
        }
        const phone = phones[next++]!;
        if ((await capture(ctx.apiUrl, ctx.key, phone)) === 202) ok += 1;
      }
    }),
  );
  return ok;
}

/**
 * `size` lead workflows open at once on the real stack, parked on timers, with the worker's
 * memory sampled throughout; then a burst of leads whose first texts all fall due at the
 * same wall-clock minute, and sampled history sizes.
 */
export async function scaleBenchmark(
  ctx: Ctx,
  opts: {
    size: number;
    burst: number;
    say: (l: string) => void;
    concurrency?: number;
    backlog?: number;
    deadline?: number;
  },
): Promise<ScaleResult> {
  const { say } = opts;
  const concurrency = opts.concurrency ?? 24;
  const backlogLimit = opts.backlog ?? 3_000;
  const maxCachedWorkflows = Number(
    process.env.WORKER_MAX_CACHED_WORKFLOWS ?? loadConfig({}).WORKER_MAX_CACHED_WORKFLOWS,
  );
  const db = new pg.Client({ connectionString: ctx.ownerDatabaseUrl });
  await db.connect();
  const connection = await Connection.connect({ address: ctx.temporalAddress });
  const client = new Client({ connection });
  const [pid] = childPids('worker/main.ts');
  if (!pid) throw new Error('the worker process was not found');
  const [temporalPid] = childPids('server start-dev');
  const t0 = performance.now();
  const since = () => Math.round((performance.now() - t0) / 1000);
  let open = 0;
  const countLeads = async () =>
    Number(
      (await db.query('SELECT count(*)::int AS n FROM leads WHERE business_id = $1::uuid', [ctx.businessId])).rows[0].n,
    );
  const samples: Array<{ s: number; mb: number; open: number; temporalMb?: number }> = [];
  const sample = () => {
    try {
      samples.push({ s: since(), mb: rssMb(pid), open, ...(temporalPid ? { temporalMb: rssMb(temporalPid) } : {}) });
      // A line a minute, so a long run shows how it goes.
      if (samples.length % 12 === 0)
        say(
          `    ${since()} s: ${open} recorded, worker RSS ${samples.at(-1)!.mb} MB${temporalPid ? `, dev server RSS ${samples.at(-1)!.temporalMb} MB` : ''}`,
        );
    } catch {
      // worker gone: the stack reports it
    }
  };
  sample();
  const sampler = setInterval(sample, 5_000);
  let done = false;
  let poll: Promise<void> = Promise.resolve();
  try {
    const before = await countLeads();
    const parked = await parkedNumbers(opts.size, Date.now());
    say(
      `  parking ${opts.size} leads in ${parked.zone} (window opens ${new Date(parked.opensAt).toISOString()}), ${concurrency} concurrent captures, at most ${backlogLimit} not yet recorded, cache ${maxCachedWorkflows} workflows…`,
    );
    const startedAt = performance.now();
    poll = (async () => {
      while (!done) {
        open = (await countLeads()) - before;
        await new Promise((r) => setTimeout(r, 2_000));
      }
    })();
    const started = await captureAll(ctx, parked.numbers, concurrency, { limit: backlogLimit, recorded: () => open });
    const startSeconds = (performance.now() - startedAt) / 1000;
    say(
      `  ${started} started in ${startSeconds.toFixed(0)} s (${(started / startSeconds).toFixed(1)}/s); waiting for the worker to park them…`,
    );
    let lastProgress = performance.now();
    let lastOpen = open;
    while (open < started) {
      await new Promise((r) => setTimeout(r, 2_000));
      if (open > lastOpen) [lastOpen, lastProgress] = [open, performance.now()];
      if (performance.now() - lastProgress > 120_000)
        throw new Error(`the worker stopped parking leads at ${open}/${started}`);
      if (opts.deadline && Date.now() > opts.deadline) break;
    }
    const parkedSeconds = (performance.now() - startedAt) / 1000;
    const parkedCount = open;
    say(
      `  ${parkedCount} parked after ${parkedSeconds.toFixed(0)} s (${(parkedCount / parkedSeconds).toFixed(1)}/s); worker RSS ${rssMb(pid)} MB`,
    );

    // The burst: leads of a business whose zone's sending window opens next.
    const perSecond = Math.max(1, parkedCount / parkedSeconds);
    const opening = openingZone(Date.now() + ((opts.burst / perSecond) * 1.5 + 45) * 1000, Date.now());
    await db.query('UPDATE businesses SET time_zone = $2 WHERE id = $1::uuid', [ctx.businessId, opening.zone]);
    const burstPhones = Array.from({ length: opts.burst }, (_, i) => zoneless(i));
    say(`  burst: ${opts.burst} leads in ${opening.zone}, first texts due ${new Date(opening.at).toISOString()}…`);
    const burstStarted = await captureAll(ctx, burstPhones, concurrency, {
      limit: backlogLimit,
      recorded: () => open - parkedCount,
    });
    while (open < parkedCount + burstStarted && Date.now() < opening.at) await new Promise((r) => setTimeout(r, 1_000));
    if (open < parkedCount + burstStarted) say(`  only ${open - parkedCount} of the burst recorded before it fell due`);
    const waitedSeconds = Math.max(0, Math.round((opening.at - Date.now()) / 1000));
    while (Date.now() < opening.at) await new Promise((r) => setTimeout(r, 1_000));
    const wanted = new Set(burstPhones);
    const firstAt = new Map<string, number>();
    const drainDeadline = opening.at + Math.max(300_000, opts.burst * 1_000);
    let seen = 0;
    while (
      firstAt.size < burstStarted &&
      Date.now() < drainDeadline &&
      !(opts.deadline && Date.now() > opts.deadline)
    ) {
      for (; seen < ctx.twilio.sent.length; seen += 1) {
        const m = ctx.twilio.sent[seen]!;
        if (wanted.has(m.to) && !firstAt.has(m.to)) firstAt.set(m.to, m.receivedAt);
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const after = [...firstAt.values()].map((at) => at - opening.at);
    const last = after.length ? Math.max(...after) : null;
    say(
      `  burst: ${firstAt.size}/${burstStarted} texted, the last ${last === null ? '—' : (last / 1000).toFixed(0)} s after due`,
    );

    // History sizes of sampled runs: parked and burst leads alike.
    const ids = (
      await db.query('(SELECT id FROM leads WHERE business_id = $1::uuid ORDER BY random() LIMIT 40)', [ctx.businessId])
    ).rows.map((r: { id: string }) => r.id);
    const sizes: number[] = [];
    for (const id of ids) {
      const history = await client.workflow
        .getHandle(leadWorkflowId(id))
        .fetchHistory()
        .catch(() => null);
      if (history?.events) sizes.push(history.events.length);
    }
    const openAtEnd = await client.workflow
      .count(`WorkflowType = 'leadWorkflow' AND ExecutionStatus = 'Running'`)
      .then((c) => c.count)
      .catch(() => null);
    sample();
    const mbs = samples.map((s) => s.mb);
    const step = Math.max(1, Math.ceil(samples.length / 120));
    return {
      size: opts.size,
      path: 'api',
      concurrency,
      backlogLimit,
      started,
      startSeconds: round(startSeconds, 1)!,
      startsPerSecond: round(started / startSeconds, 1)!,
      parkedSeconds: round(parkedSeconds, 1)!,
      parkedPerSecond: round(parkedCount / parkedSeconds, 1)!,
      openAtEnd,
      parkedZone: parked.zone,
      parkedUntil: new Date(parked.opensAt).toISOString(),
      maxCachedWorkflows,
      rss: {
        startMb: mbs[0]!,
        peakMb: Math.max(...mbs),
        endMb: mbs.at(-1)!,
        temporalPeakMb: temporalPid ? Math.max(...samples.map((x) => x.temporalMb ?? 0)) : undefined,
        samples: samples.filter((_, i) => i % step === 0 || i === samples.length - 1),
      },
      burst: {
        size: burstStarted,
        zone: opening.zone,
        dueAt: new Date(opening.at).toISOString(),
        waitedSeconds,
        texted: firstAt.size,
        drainSeconds: last === null ? null : round(last / 1000, 1),
        perSecond: last === null ? null : round(firstAt.size / (last / 1000), 1),
        p50AfterDueMs: round(percentile(after, 50)),
        p99AfterDueMs: round(percentile(after, 99)),
      },
      history: {
        sampled: sizes.length,
        maxEvents: sizes.length ? Math.max(...sizes) : 0,
        p50Events: round(percentile(sizes, 50)),
      },
      reached: parkedCount >= opts.size && firstAt.size === burstStarted,
    };
  } finally {
    done = true;
    await poll;
    clearInterval(sampler);
    await connection.close();
    await db.end();
  }
}
