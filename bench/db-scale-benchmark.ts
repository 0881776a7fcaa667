import pg from 'pg';
import { capture, type BenchContext } from './stack-benchmarks';
import { waitForQuiet, type LoadWait } from './lib/load';
import {
  statementsOrCounters,
  readCounters,
  rowsPer,
  STATS_FLUSH_MS,
  topStatements,
  type RowsPerUnit,
} from './lib/pg-stats';
import { daytimeNumbers } from './lib/phones';

export interface DbScaleStep {
  /** Leads of the business in the table while the step ran. */
  tableLeads: number;
  leads: number;
  texted: number;
  load: LoadWait;
  rows: RowsPerUnit;
  statements: Awaited<ReturnType<typeof topStatements>>;
}

export interface DbScaleResult {
  rate: number;
  steps: DbScaleStep[];
  /** Rows read per lead at the largest table ÷ at the smallest. */
  growth: number;
  pgStatStatements: boolean;
  /** EXPLAIN (ANALYZE, BUFFERS) of the per-lead statements on the largest table, as the runtime role. */
  plans: Array<{ statement: string; plan: string }>;
}

/**
 * Old leads of the business, each with one message and its data key, by generate_series as the owner: the
 * table the per-lead statements must not read through.
 */
export async function seedLeads(db: pg.Client, businessId: string, upTo: number) {
  const have = Number(
    (await db.query<{ n: string }>('SELECT count(*) AS n FROM leads WHERE business_id = $1', [businessId])).rows[0]!.n,
  );
  if (have >= upTo) return;
  await db.query(
    `WITH l AS (
       INSERT INTO leads (id, business_id, phone, name, status, last_activity_at, created_at, updated_at)
       SELECT gen_random_uuid(), $1::uuid, '+1917' || lpad((g + $2::int)::text, 7, '0'), 'Old Lead', 'closed',
              now() - interval '30 days', now() - interval '30 days', now()
         FROM generate_series(1, $3::int) g
       RETURNING id, business_id)
     , m AS (
       INSERT INTO messages (id, business_id, lead_id, direction, body, status, kind, provider, created_at)
       SELECT gen_random_uuid(), business_id, id, 'outbound', 'Earlier reply', 'delivered', 'reply', 'local',
              now() - interval '30 days' FROM l)
     INSERT INTO lead_data_keys (id, lead_id, business_id, master_key_id, wrapped_key, created_at, assigned_at)
     SELECT gen_random_uuid(), id, business_id, 'bench', 'not a key', now() - interval '30 days', now() - interval '30 days'
       FROM l`,
    [businessId, have, upTo - have],
  );
  await db.query('VACUUM ANALYZE leads, messages, lead_data_keys');
}

/**
 * The claims a steady state has expiring while a step runs: one a capture (the claim a lead
 * made one duplicate window earlier), the first a second before the step's first capture.
 * The earlier steps' own claims are removed (with vacuum, as autovacuum would clear them):
 * whether they expire within a later step depends only on how long its seeding took, so
 * every step starts from the same claims and prunes the same number.
 */
async function steadyStateClaims(
  db: pg.Client,
  businessId: string,
  opts: { leads: number; rate: number; firstExpiresInMs: number; step: number },
) {
  await db.query(`DELETE FROM idempotency_claims WHERE business_id = $1 AND digest NOT LIKE 'bench-day-%'`, [
    businessId,
  ]);
  await db.query('VACUUM idempotency_claims');
  await db.query(
    `INSERT INTO idempotency_claims (business_id, digest, lead_id, created_at, expires_at)
     SELECT $1::uuid, 'bench-expiring-' || $2::int || '-' || g, gen_random_uuid(), e - interval '10 minutes', e
       FROM (SELECT g, now() + ($3::int + g * $4::int) * interval '1 millisecond' AS e
               FROM generate_series(0, $5::int - 1) g) s`,
    [businessId, opts.step, opts.firstExpiresInMs, Math.round(1000 / opts.rate), opts.leads],
  );
}

async function captureAtRate(ctx: BenchContext, opts: { leads: number; rate: number; offset: number }) {
  const phones = daytimeNumbers(opts.leads, opts.offset);
  const before = ctx.twilio.sent.length;
  const started = Date.now();
  const inflight: Array<Promise<number>> = [];
  for (let i = 0; i < opts.leads; i += 1) {
    const wait = started + (i * 1000) / opts.rate - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inflight.push(capture(ctx.apiUrl, ctx.key, phones[i]!));
  }
  await Promise.all(inflight);
  await ctx.twilio.waitForSent(before + opts.leads, 120_000).catch(() => {});
  return ctx.twilio.sent.length - before;
}

const PLANNED = [
  {
    statement: 'the send’s lead lookup',
    sql: 'SELECT name, phone, restricted, objected, marketing_opt_out FROM leads WHERE id = $2 AND business_id = $1',
  },
  {
    statement: 'the send’s history',
    sql: 'SELECT direction, kind, body FROM messages WHERE business_id = $1 AND lead_id = $2 ORDER BY created_at ASC, id ASC LIMIT 30',
  },
  {
    statement: 'the last-activity update',
    sql: 'UPDATE leads SET last_activity_at = now(), status = COALESCE(NULL, status), updated_at = now() WHERE business_id = $1 AND id = $2',
  },
];

/** The plans as the API and worker run them: the runtime login, in a tenant transaction (row-level security). */
async function explainPerLead(ctx: BenchContext, leadId: string) {
  const db = new pg.Client({ connectionString: ctx.runtimeDatabaseUrl });
  await db.connect();
  try {
    const out: DbScaleResult['plans'] = [];
    for (const p of PLANNED) {
      await db.query('BEGIN');
      await db.query("SELECT set_config('app.business_id', $1, true)", [ctx.businessId]);
      const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${p.sql}`, [
        ctx.businessId,
        leadId,
      ]);
      await db.query('ROLLBACK');
      out.push({ statement: p.statement, plan: rows.map((r) => r['QUERY PLAN']).join('\n') });
    }
    return out;
  } finally {
    await db.end();
  }
}

/**
 * Rows read and written per lead (capture → first SMS) with the business's leads table at
 * each size in `sizes`, in one stack: the same leads, the same rate, only the table grows.
 */
export async function dbScaleBenchmark(
  ctx: BenchContext,
  opts: { sizes: number[]; leads: number; rate: number; say: (line: string) => void },
): Promise<DbScaleResult> {
  const owner = new pg.Client({ connectionString: ctx.ownerDatabaseUrl });
  await owner.connect();
  const { db, statements } = await statementsOrCounters(ctx, owner, opts.say);
  try {
    // A steady state's live capture claims (a day of Idempotency-Keys at a few leads a
    // minute), the same for every step: the capture's claim prune walks the same index.
    await db.query(
      `INSERT INTO idempotency_claims (business_id, digest, lead_id, created_at, expires_at)
       SELECT $1::uuid, 'bench-day-' || g, gen_random_uuid(), now(), now() + interval '1 day' FROM generate_series(1, 10000) g
       ON CONFLICT DO NOTHING`,
      [ctx.businessId],
    );
    // The pools reconnect after the restart: a few leads first, not measured.
    await captureAtRate(ctx, { leads: 5, rate: 2, offset: 600_000 });
    const steps: DbScaleStep[] = [];
    for (const [i, size] of [...opts.sizes].sort((a, b) => a - b).entries()) {
      const seeded = performance.now();
      await seedLeads(db, ctx.businessId, size);
      opts.say(`  ${size} leads in the table (seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s)`);
      // Every table analysed, as autovacuum keeps them in a steady state: the plans are the ones production gets.
      await db.query('ANALYZE');
      const load = await waitForQuiet({ timeoutMs: 90_000 });
      await steadyStateClaims(db, ctx.businessId, {
        leads: opts.leads,
        rate: opts.rate,
        firstExpiresInMs: STATS_FLUSH_MS - 1000,
        step: i,
      });
      if (statements) await db.query('SELECT pg_stat_statements_reset()');
      await new Promise((r) => setTimeout(r, STATS_FLUSH_MS));
      const before = await readCounters(db);
      const texted = await captureAtRate(ctx, { leads: opts.leads, rate: opts.rate, offset: 610_000 + i * 10_000 });
      await new Promise((r) => setTimeout(r, STATS_FLUSH_MS));
      const after = await readCounters(db);
      const step: DbScaleStep = {
        tableLeads: size,
        leads: opts.leads,
        texted,
        load,
        rows: rowsPer(before, after, texted),
        statements: statements ? await topStatements(db, texted) : [],
      };
      opts.say(
        `  ${texted}/${opts.leads} texted; per lead ${step.rows.read} rows read, ${step.rows.written} written, ${step.rows.commits} commits (load ${load.load1}); top: ${step.rows.top
          .slice(0, 3)
          .map((t) => `${t.what} ${t.perUnit}`)
          .join(', ')}`,
      );
      steps.push(step);
    }
    const lastLead = (
      await db.query<{ id: string }>('SELECT id FROM leads WHERE business_id = $1 ORDER BY created_at DESC LIMIT 1', [
        ctx.businessId,
      ])
    ).rows[0]!.id;
    const plans = await explainPerLead(ctx, lastLead);
    const first = steps[0]!.rows.read;
    const last = steps.at(-1)!.rows.read;
    return {
      rate: opts.rate,
      steps,
      growth: Number((last / Math.max(first, 0.1)).toFixed(2)),
      pgStatStatements: statements,
      plans,
    };
  } finally {
    await db.end();
  }
}
