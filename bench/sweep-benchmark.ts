import pg from 'pg';
import { deleteBatchSql, sweepSource } from '../activities/retention/sweep-sql';
import { enableStatements, timeByStatement } from './lib/pg-stats';
import { daytimeNumbers } from './lib/phones';
import { percentile, round } from './lib/stats';

export interface SweepResult {
  rows: number;
  batchSize: number;
  seedSeconds: number;
  rawSeconds: number;
  rawRowsPerSecond: number;
  /** The same DELETE as the runtime's compliance role, under row-level security like the sweep. */
  rawRlsSeconds: number;
  rawRlsRowsPerSecond: number;
  ratioRls: number;
  sweepSeconds: number;
  sweepRowsPerSecond: number;
  sweepDeleted: number;
  sweepBatches: number;
  ratio: number;
  captureWithout: { count: number; p50Ms: number | null; p99Ms: number | null };
  captureDuring: { count: number; p50Ms: number | null; p99Ms: number | null };
  /** Wall-clock milliseconds per sweep batch and per raw DELETE batch. */
  batchMs?: number;
  rawBatchMs?: number;
  /** The sweep's SQL by statement, milliseconds per batch (pg_stat_statements); the rest of a batch is outside Postgres. */
  breakdown?: Array<{ query: string; callsPerUnit: number; msPerUnit: number; rowsPerCall: number }>;
  /** EXPLAIN (ANALYZE, BUFFERS) of the sweep's first batch statement as it runs (compliance role, rolled back). */
  batchPlan?: string[];
}

interface Ctx {
  apiUrl: string;
  key: string;
  ownerDatabaseUrl: string;
  runtimeDatabaseUrl: string;
  businessId: string;
  control: { stopPostgres(): Promise<void>; startPostgres(): Promise<void> };
}

const MESSAGES_PER_LEAD = 100;
const BATCH = 5_000;
/** What a DBA would type for "delete the expired messaging logs", batch after batch. */
const RAW_DELETE = `DELETE FROM messages WHERE ctid = ANY(ARRAY(
  SELECT m.ctid FROM messages m JOIN leads l ON l.id = m.lead_id
  WHERE m.business_id = $1::uuid AND l.last_activity_at < now() - interval '730 days' LIMIT ${BATCH}))`;

async function rawDelete(
  db: pg.Client,
  businessId: string,
  opts: { asCompliance?: boolean } = {},
): Promise<{ rows: number; seconds: number }> {
  const started = performance.now();
  let rows = 0;
  for (;;) {
    await db.query('BEGIN');
    if (opts.asCompliance) await db.query("SELECT set_config('role', 'leadflow_compliance', true)");
    const { rowCount } = await db.query(RAW_DELETE, [businessId]);
    await db.query('COMMIT');
    rows += rowCount ?? 0;
    if ((rowCount ?? 0) < BATCH) break;
  }
  return { rows, seconds: (performance.now() - started) / 1000 };
}

/** The sweep's batch statement as the compliance role runs it, analysed inside a transaction that is rolled back. */
async function explainBatch(runtimeDatabaseUrl: string, businessId: string): Promise<string[]> {
  const db = new pg.Client({ connectionString: runtimeDatabaseUrl });
  await db.connect();
  try {
    await db.query('BEGIN');
    await db.query("SELECT set_config('role', 'leadflow_compliance', true)");
    const source = sweepSource('messaging_logs', businessId, new Date(Date.now() - 730 * 86_400_000));
    const sql = deleteBatchSql(source, BATCH, { carrier: 'twilio', after: null });
    const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql.text}`, sql.values);
    return rows.map((r) => r['QUERY PLAN']);
  } finally {
    await db.query('ROLLBACK').catch(() => undefined);
    await db.end();
  }
}

const consent = { text: 'I agree to receive texts about my request. Reply STOP to opt out.' };

/**
 * Leads 800 days quiet (past the 730-day messaging period) with 100 messages each, by
 * generate_series as the owner. Messages go to those leads only: the stack's warm-up lead
 * is recent, so messages seeded on it were rightly kept by the sweep (999,900 of 1,000,000).
 */
async function seedExpired(db: pg.Client, businessId: string, rows: number) {
  const leads = Math.ceil(rows / MESSAGES_PER_LEAD);
  await db.query(
    `INSERT INTO leads (id, business_id, phone, name, status, last_activity_at, created_at, updated_at)
     SELECT gen_random_uuid(), $1::uuid, '+1646' || lpad(g::text, 7, '0'), 'Bench Lead', 'closed', now() - interval '800 days', now() - interval '800 days', now()
     FROM generate_series(1, $2::int) g`,
    [businessId, leads],
  );
  await db.query(
    `INSERT INTO messages (id, business_id, lead_id, direction, body, status, kind, provider, created_at)
     SELECT gen_random_uuid(), l.business_id, l.id, 'outbound', 'Bench message text', 'delivered', 'reply', 'local', now() - interval '800 days'
     FROM (SELECT id, business_id FROM leads WHERE business_id = $1::uuid AND last_activity_at < now() - interval '799 days' ORDER BY id) l CROSS JOIN generate_series(1, $2::int)
     LIMIT $3::int`,
    [businessId, MESSAGES_PER_LEAD, rows],
  );
}

/** One client capturing about twice a second: ordinary traffic, well inside what one worker sustains. */
async function captureLoop(ctx: Ctx, opts: { until: () => boolean; offset: number }) {
  const phones = daytimeNumbers(100_000, opts.offset);
  let next = 0;
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: 1 }, async () => {
      while (!opts.until()) {
        const t = performance.now();
        const res = await fetch(`${ctx.apiUrl}/v1/leads`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ctx.key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'Bench Lead', phone: phones[next++ % phones.length], consent }),
        });
        await res.arrayBuffer();
        if (res.status === 202) latencies.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 500));
      }
    }),
  );
  return {
    count: latencies.length,
    p50Ms: round(percentile(latencies, 50), 1),
    p99Ms: round(percentile(latencies, 99), 1),
  };
}

/**
 * The retention sweep's delete rate beside a raw batched DELETE of an identical set of
 * expired messages, in the same run, and what the sweep does to capture latency.
 */
export async function sweepBenchmark(
  ctx: Ctx,
  opts: { rows: number; say: (line: string) => void },
): Promise<SweepResult> {
  let db = new pg.Client({ connectionString: ctx.ownerDatabaseUrl });
  await db.connect();
  let statements = true;
  db = await enableStatements(ctx, db).catch(async (err) => {
    opts.say(`  pg_stat_statements not loadable (${(err as Error).message}): no breakdown`);
    statements = false;
    const again = new pg.Client({ connectionString: ctx.ownerDatabaseUrl });
    await again.connect();
    return again;
  });
  try {
    const newBusiness = async (name: string) =>
      (
        await db.query<{ id: string }>(
          `INSERT INTO businesses (id, name, updated_at) VALUES (gen_random_uuid(), $1, now()) RETURNING id`,
          [name],
        )
      ).rows[0]!.id;
    const raw = await newBusiness('Bench raw delete');
    const rawRls = await newBusiness('Bench raw delete under RLS');
    const seedStarted = performance.now();
    for (const b of [raw, rawRls, ctx.businessId]) await seedExpired(db, b, opts.rows);
    await db.query('VACUUM ANALYZE leads, messages');
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    opts.say(`  seeded 3 × ${opts.rows} expired messages in ${seedSeconds.toFixed(1)} s`);

    // Capture latency with nothing else going on.
    const quietUntil = Date.now() + 20_000;
    const captureWithout = await captureLoop(ctx, { until: () => Date.now() > quietUntil, offset: 300_000 });
    opts.say(
      `  capture without a sweep: p50 ${captureWithout.p50Ms} ms, p99 ${captureWithout.p99Ms} ms (${captureWithout.count})`,
    );

    // The baselines, each alone: as the table owner (no row-level security), and as the
    // runtime's compliance role (row-level security, as the sweep runs).
    const owner = await rawDelete(db, raw);
    opts.say(`  raw batched DELETE as the owner: ${owner.rows} rows in ${owner.seconds.toFixed(1)} s`);
    const runtime = new pg.Client({ connectionString: ctx.runtimeDatabaseUrl });
    await runtime.connect();
    const underRls = await rawDelete(runtime, rawRls, { asCompliance: true }).finally(() => runtime.end());
    opts.say(`  raw batched DELETE as leadflow_compliance: ${underRls.rows} rows in ${underRls.seconds.toFixed(1)} s`);
    await db.query('VACUUM ANALYZE messages');
    const rawSeconds = owner.seconds;

    const batchPlan = await explainBatch(ctx.runtimeDatabaseUrl, ctx.businessId).catch((err: Error) => [
      `EXPLAIN failed: ${err.message}`,
    ]);
    opts.say(`  one batch's plan: ${batchPlan.at(-1)}`);

    // The sweep through the API and the worker, with captures running beside it.
    if (statements) await db.query('SELECT pg_stat_statements_reset()');
    const sweepStarted = performance.now();
    const startRes = await fetch(`${ctx.apiUrl}/v1/compliance/retention-runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ctx.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ categories: ['messaging_logs'] }),
    });
    const started = (await startRes.json()) as { id: string };
    if (startRes.status !== 202) throw new Error(`the sweep did not start: ${startRes.status}`);
    let finished = false;
    const during = captureLoop(ctx, { until: () => finished, offset: 400_000 });
    let run: {
      status: string;
      startedAt: string;
      finishedAt: string | null;
      report: { batches: number; totals: { messaging_logs?: { deleted: number } } };
    };
    for (;;) {
      const res = await fetch(`${ctx.apiUrl}/v1/compliance/retention-runs/${started.id}`, {
        headers: { authorization: `Bearer ${ctx.key}` },
      });
      run = (await res.json()) as typeof run;
      if (run.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const sweepSeconds = (performance.now() - sweepStarted) / 1000;
    finished = true;
    const captureDuring = await during;
    if (run.status !== 'completed') throw new Error(`the sweep ended ${run.status}`);
    const deleted = run.report.totals.messaging_logs?.deleted ?? 0;
    opts.say(`  sweep: ${deleted} rows in ${sweepSeconds.toFixed(1)} s (${run.report.batches} batches)`);
    opts.say(
      `  capture during the sweep: p50 ${captureDuring.p50Ms} ms, p99 ${captureDuring.p99Ms} ms (${captureDuring.count})`,
    );
    const batches = Math.max(1, run.report.batches);
    const breakdown = statements ? await timeByStatement(db, batches) : undefined;
    for (const b of breakdown ?? [])
      opts.say(`    ${b.msPerUnit} ms/batch, ${b.callsPerUnit} calls/batch: ${b.query.slice(0, 100)}`);
    const rawRate = owner.rows / rawSeconds;
    const rlsRate = underRls.rows / underRls.seconds;
    const sweepRate = deleted / sweepSeconds;
    return {
      rows: opts.rows,
      batchSize: BATCH,
      seedSeconds: round(seedSeconds, 1)!,
      rawSeconds: round(rawSeconds, 1)!,
      rawRowsPerSecond: round(rawRate)!,
      sweepSeconds: round(sweepSeconds, 1)!,
      sweepRowsPerSecond: round(sweepRate)!,
      sweepDeleted: deleted,
      sweepBatches: run.report.batches,
      ratio: round(sweepRate / rawRate, 2)!,
      rawRlsSeconds: round(underRls.seconds, 1)!,
      rawRlsRowsPerSecond: round(rlsRate)!,
      ratioRls: round(sweepRate / rlsRate, 2)!,
      captureWithout,
      captureDuring,
      batchMs: round((sweepSeconds * 1000) / batches, 1)!,
      rawBatchMs: round((rawSeconds * 1000) / Math.ceil(opts.rows / BATCH), 1)!,
      breakdown,
      batchPlan,
    };
  } finally {
    await db.end();
  }
}

/** RESULTS.md: the batch statement's plan as the sweep runs it, beside the breakdown. */
export function sweepPlanSection(s: SweepResult | undefined): string[] {
  if (!s?.batchPlan?.length) return [];
  return [
    '## Retention sweep: the batch statement’s plan',
    '',
    `EXPLAIN (ANALYZE, BUFFERS) of one batch of ${s.batchSize.toLocaleString('en-US')} as the sweep runs it (the compliance role under row-level security, the walk from the start, Twilio configured), in a transaction rolled back, taken in the same run just before the sweep (\`npm run bench -- --only=sweep --size=${s.rows}\`): the expired leads of the business in key order, each lead's messages through its (lead_id, created_at, id) index, then the DELETE by row address. Per batch: the sweep ${s.batchMs ?? '—'} ms, the owner's raw DELETE ${s.rawBatchMs ?? '—'} ms.`,
    '',
    '```',
    ...s.batchPlan,
    '```',
    '',
  ];
}
