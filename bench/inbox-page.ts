import { loadavg } from 'node:os';
import pg from 'pg';
import { inboxPageQuery } from '../db/lead-inbox';
import { percentile, round } from './lib/stats';

interface Ctx {
  apiUrl: string;
  key: string;
  ownerDatabaseUrl: string;
  runtimeDatabaseUrl: string;
  businessId: string;
}

export interface InboxPageTiming {
  what: string;
  requests: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface InboxPageResult {
  leads: number;
  messagesPerLead: number;
  timings: InboxPageTiming[];
  /** GET /v1/business in the same run: what any authenticated one-row read costs on this machine now. */
  floor: InboxPageTiming;
  /** Postgres' own time for the first page's statement (EXPLAIN ANALYZE, median of 20), and whether it walks the inbox index. */
  statement: { executionMs: number | null; usesIndex: boolean };
  /** The 1-minute load average once the requests were done: how busy the shared cores were. */
  load1?: number;
}

const MESSAGES_PER_LEAD = 4;

/**
 * One business's leads with their conversations, by generate_series as the owner: activity
 * spread over 90 days, the last message of each lead at its last activity.
 */
async function seed(db: pg.Client, businessId: string, leads: number) {
  await db.query(
    `INSERT INTO leads (id, business_id, phone, name, status, source, last_activity_at, created_at, updated_at)
     SELECT gen_random_uuid(), $1::uuid, '+1718' || lpad(g::text, 7, '0'), 'Inbox Bench ' || g,
            (ARRAY['contacted','conversing','offered','booked','handed_off','closed'])[1 + g % 6], 'api',
            now() - (g * interval '777 seconds'), now() - (g * interval '777 seconds') - interval '2 hours', now()
     FROM generate_series(1, $2::int) g`,
    [businessId, leads],
  );
  await db.query(
    `INSERT INTO messages (id, business_id, lead_id, direction, body, status, kind, provider, created_at)
     SELECT gen_random_uuid(), l.business_id, l.id, CASE WHEN s % 2 = 0 THEN 'inbound' ELSE 'outbound' END,
            'Bench message ' || s, 'delivered', 'reply', 'local', l.last_activity_at - ((${MESSAGES_PER_LEAD} - s) * interval '10 minutes')
     FROM leads l CROSS JOIN generate_series(1, ${MESSAGES_PER_LEAD}) s
     WHERE l.business_id = $1::uuid AND l.name LIKE 'Inbox Bench %'`,
    [businessId],
  );
  await db.query('ANALYZE leads; ANALYZE messages');
}

async function time(ctx: Ctx, what: string, path: string, requests: number): Promise<InboxPageTiming> {
  const get = async () => {
    const started = performance.now();
    const res = await fetch(`${ctx.apiUrl}${path}`, { headers: { authorization: `Bearer ${ctx.key}` } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
    return performance.now() - started;
  };
  for (let i = 0; i < 20; i++) await get();
  const samples: number[] = [];
  for (let i = 0; i < requests; i++) samples.push(await get());
  return { what, requests, p50Ms: round(percentile(samples, 50), 1), p95Ms: round(percentile(samples, 95), 1) };
}

/**
 * The inbox's first page (GET /v1/leads, newest activity first, each lead with its last
 * message) over one business with `leads` leads, as the app asks for it, one request at a
 * time from one client, measured at the client: the API's whole answer, authentication,
 * the audit row and Postgres included.
 */
export async function inboxPageBenchmark(
  ctx: Ctx,
  opts: { leads: number; requests: number; say: (line: string) => void },
): Promise<InboxPageResult> {
  const db = new pg.Client({ connectionString: ctx.ownerDatabaseUrl });
  await db.connect();
  try {
    opts.say(`  seeding ${opts.leads} leads with ${MESSAGES_PER_LEAD} messages each…`);
    await seed(db, ctx.businessId, opts.leads);
  } finally {
    await db.end();
  }
  const timings = [
    await time(ctx, 'first page, 50 leads (as the app asks)', '/v1/leads?limit=50', opts.requests),
    await time(ctx, 'first page, 25 leads (the default)', '/v1/leads', opts.requests),
    await time(ctx, 'status filter (conversing), 50 leads', '/v1/leads?limit=50&status=conversing', opts.requests),
    await time(ctx, 'search by name part (q=Bench 99), 50 leads', '/v1/leads?limit=50&q=Bench%2099', opts.requests),
    await time(ctx, 'search by phone digits (q=0004242)', '/v1/leads?limit=50&q=0004242', opts.requests),
  ];
  const floor = await time(ctx, 'GET /v1/business', '/v1/business', opts.requests);
  const load1 = round(loadavg()[0]!, 2)!;
  return {
    leads: opts.leads,
    messagesPerLead: MESSAGES_PER_LEAD,
    timings,
    floor,
    load1,
    statement: await explainFirstPage(ctx),
  };
}

/** The first page's statement as the API's runtime login runs it, under row-level security. */
async function explainFirstPage(ctx: Ctx) {
  const db = new pg.Client({ connectionString: ctx.runtimeDatabaseUrl });
  await db.connect();
  try {
    await db.query(`SELECT set_config('app.business_id', $1, false)`, [ctx.businessId]);
    const query = inboxPageQuery({ businessId: ctx.businessId, limit: 50 });
    const times: number[] = [];
    let usesIndex = false;
    for (let i = 0; i < 20; i++) {
      const { rows } = await db.query<{ 'QUERY PLAN': Array<{ 'Execution Time': number }> }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${query.text}`,
        query.values,
      );
      const plan = rows[0]!['QUERY PLAN'];
      times.push(plan[0]!['Execution Time']);
      usesIndex = JSON.stringify(plan).includes('leads_business_id_last_activity_at_id_idx');
    }
    return { executionMs: round(percentile(times, 50), 2), usesIndex };
  } finally {
    await db.end();
  }
}
