import pg from 'pg';

/** Row counters of one database, summed over its user tables and indexes. */
export interface RowCounters {
  /** Heap rows read by sequential scans. */
  seqRead: number;
  /** Index entries returned by index scans (each one a row looked at). */
  idxRead: number;
  inserted: number;
  updated: number;
  deleted: number;
  commits: number;
  /** idx_tup_read per index, `table.index`. */
  byIndex: Record<string, number>;
  /** seq_tup_read per table. */
  bySeqScan: Record<string, number>;
}

/**
 * Backends hand their counters to the statistics system when they go idle, at most once a
 * second and otherwise within 10 s: a reading taken later than that after the work
 * includes all of it.
 */
export const STATS_FLUSH_MS = 11_000;

export async function readCounters(db: pg.Client): Promise<RowCounters> {
  await db.query('SELECT pg_stat_clear_snapshot()');
  const tables = await db.query<{ relname: string; seq: string; ins: string; upd: string; del: string }>(
    `SELECT relname, coalesce(seq_tup_read, 0) AS seq, n_tup_ins AS ins, n_tup_upd AS upd, n_tup_del AS del
       FROM pg_stat_user_tables`,
  );
  const indexes = await db.query<{ name: string; read: string }>(
    `SELECT relname || '.' || indexrelname AS name, idx_tup_read AS read FROM pg_stat_user_indexes`,
  );
  const commits = await db.query<{ n: string }>(
    'SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()',
  );
  const c: RowCounters = {
    seqRead: 0,
    idxRead: 0,
    inserted: 0,
    updated: 0,
    deleted: 0,
    commits: Number(commits.rows[0]!.n),
    byIndex: {},
    bySeqScan: {},
  };
  for (const t of tables.rows) {
    c.seqRead += Number(t.seq);
    c.inserted += Number(t.ins);
    c.updated += Number(t.upd);
    c.deleted += Number(t.del);
    c.bySeqScan[t.relname] = Number(t.seq);
  }
  for (const i of indexes.rows) {
    c.idxRead += Number(i.read);
    c.byIndex[i.name] = Number(i.read);
  }
  return c;
}

export interface RowsPerUnit {
  read: number;
  written: number;
  /** Transactions committed per unit (includes the reader's own few). */
  commits: number;
  /** The heaviest readers, rows per unit: `index idx` or `seq table`. */
  top: Array<{ what: string; perUnit: number }>;
}

const r1 = (n: number) => Number(n.toFixed(1));

export function rowsPer(before: RowCounters, after: RowCounters, units: number): RowsPerUnit {
  const u = Math.max(1, units);
  const top: RowsPerUnit['top'] = [];
  for (const [k, v] of Object.entries(after.byIndex)) {
    const d = v - (before.byIndex[k] ?? 0);
    if (d > 0) top.push({ what: `index ${k}`, perUnit: r1(d / u) });
  }
  for (const [k, v] of Object.entries(after.bySeqScan)) {
    const d = v - (before.bySeqScan[k] ?? 0);
    if (d > 0) top.push({ what: `seq ${k}`, perUnit: r1(d / u) });
  }
  top.sort((a, b) => b.perUnit - a.perUnit);
  return {
    read: r1((after.seqRead - before.seqRead + after.idxRead - before.idxRead) / u),
    written: r1(
      (after.inserted - before.inserted + after.updated - before.updated + after.deleted - before.deleted) / u,
    ),
    commits: r1((after.commits - before.commits) / u),
    top: top.slice(0, 6),
  };
}

/** The statements that touched the most buffers, when pg_stat_statements is loaded (else []). */
export async function topStatements(
  db: pg.Client,
  units: number,
): Promise<Array<{ query: string; callsPerUnit: number; blocksPerCall: number; rowsPerCall: number }>> {
  try {
    const { rows } = await db.query<{ query: string; calls: string; blocks: string; rows: string }>(
      `SELECT query, calls, shared_blks_hit + shared_blks_read AS blocks, rows FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND calls > 0
        ORDER BY shared_blks_hit + shared_blks_read DESC LIMIT 8`,
    );
    return rows.map((s) => ({
      query: s.query.replace(/\s+/g, ' ').slice(0, 160),
      callsPerUnit: r1(Number(s.calls) / Math.max(1, units)),
      blocksPerCall: r1(Number(s.blocks) / Number(s.calls)),
      rowsPerCall: r1(Number(s.rows) / Number(s.calls)),
    }));
  } catch {
    return [];
  }
}

/**
 * Loads pg_stat_statements into the stack's Postgres (a preloaded library: one restart) and
 * answers a fresh owner connection; `db` is closed. The API's and worker's pools reconnect.
 */
export async function enableStatements(
  ctx: { ownerDatabaseUrl: string; control: { stopPostgres(): Promise<void>; startPostgres(): Promise<void> } },
  db: pg.Client,
): Promise<pg.Client> {
  await db.query("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
  await db.end();
  await ctx.control.stopPostgres();
  await ctx.control.startPostgres();
  const again = new pg.Client({ connectionString: ctx.ownerDatabaseUrl });
  await again.connect();
  await again.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  return again;
}

/**
 * enableStatements, or a fresh owner connection with table counters only when the library
 * cannot be loaded (said once through `say`). `statements` says which.
 */
export async function statementsOrCounters(
  ctx: Parameters<typeof enableStatements>[0],
  db: pg.Client,
  say: (line: string) => void,
): Promise<{ db: pg.Client; statements: boolean }> {
  try {
    return { db: await enableStatements(ctx, db), statements: true };
  } catch (err) {
    say(`  pg_stat_statements not loadable (${(err as Error).message}); table counters only`);
    const fresh = new pg.Client({ connectionString: ctx.ownerDatabaseUrl });
    await fresh.connect();
    return { db: fresh, statements: false };
  }
}

/** Where a stretch of work spent its time in SQL: statements by total execution time, per unit (a batch). */
export async function timeByStatement(
  db: pg.Client,
  units: number,
): Promise<Array<{ query: string; callsPerUnit: number; msPerUnit: number; rowsPerCall: number }>> {
  const { rows } = await db.query<{ query: string; calls: string; ms: number; rows: string }>(
    `SELECT query, calls, total_exec_time AS ms, rows FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND calls > 0
      ORDER BY total_exec_time DESC LIMIT 10`,
  );
  const u = Math.max(1, units);
  return rows.map((s) => ({
    query: s.query.replace(/\s+/g, ' ').slice(0, 160),
    callsPerUnit: r1(Number(s.calls) / u),
    msPerUnit: Number((s.ms / u).toFixed(2)),
    rowsPerCall: r1(Number(s.rows) / Number(s.calls)),
  }));
}
