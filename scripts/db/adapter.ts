import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';

type Adapter = Awaited<ReturnType<PrismaPg['connect']>>;

const TEXT_OID = 25;
// Catalog types adapter-pg 6.x rejects as unsupported (prisma/orm#27403); introspection reads them.
const CATALOG_TEXT_OIDS = new Set([18 /* "char" */, 19 /* name */]);

/**
 * The driver adapter the wasm schema engine (prisma.config.ts, `engine: 'js'`) migrates
 * through. Departures from a plain `new PrismaPg(url)`, each for a 6.19.3 defect:
 * - `name` and `"char"` result columns are reported as text, so introspection works,
 *   and the constraint query skips PostgreSQL 18's NOT NULL rows (CatalogAsTextClient);
 * - connection settings are passed one by one: with `connectionString`, pg ignores the
 *   `database` that connectToShadowDb() sets, and the "shadow" database is the main one;
 * - executeScript() sends a migration as one simple-protocol query, as Prisma's native
 *   engine does (atomic, and `DO $$ … $$` or function bodies survive), instead of
 *   splitting it on every `;`. The shadow database is dropped after its pool is closed.
 */
export function migrationAdapter(opts: { databaseUrl: string }): MigrationAdapterFactory {
  return new MigrationAdapterFactory(poolConfig(opts.databaseUrl));
}

export class MigrationAdapterFactory {
  readonly provider = 'postgres' as const;
  readonly adapterName = '@prisma/adapter-pg';

  constructor(private readonly config: pg.PoolConfig) {}

  async connect(): Promise<Adapter> {
    return wholeScripts(await new PrismaPg(this.config).connect());
  }

  async connectToShadowDb(): Promise<Adapter> {
    const name = `prisma_migrate_shadow_db_${randomUUID()}`;
    await this.admin((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
    const adapter = wholeScripts(await new PrismaPg({ ...this.config, database: name }).connect());
    const release = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await release();
      await this.admin((c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`));
    };
    return adapter;
  }

  private async admin(fn: (client: pg.Client) => Promise<unknown>): Promise<void> {
    const client = new pg.Client(this.config);
    await client.connect();
    try {
      await fn(client);
    } finally {
      await client.end();
    }
  }
}

export function poolConfig(databaseUrl: string): pg.PoolConfig {
  const url = new URL(databaseUrl);
  const sslmode = url.searchParams.get('sslmode');
  return {
    host: decodeURIComponent(url.hostname.replace(/^\[|\]$/g, '')) || 'localhost',
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres',
    ...(sslmode && sslmode !== 'disable' && sslmode !== 'prefer'
      ? { ssl: { rejectUnauthorized: sslmode.startsWith('verify') } }
      : {}),
    max: 2,
    // The CLI never disposes its adapter: without this it sits out the pool's idle timeout (~10 s).
    allowExitOnIdle: true,
    Client: CatalogAsTextClient,
  };
}

function wholeScripts(adapter: Adapter): Adapter {
  adapter.executeScript = async (script: string) => {
    try {
      await adapter.underlyingDriver().query(script);
    } catch (err) {
      // onError turns a pg error into the DriverAdapterError the engine reports.
      (adapter as unknown as { onError(e: unknown): never }).onError(err);
    }
  };
  return adapter;
}

type QueryResults = pg.QueryResult | pg.QueryResult[];

function catalogAsText(result: unknown): unknown {
  for (const r of (Array.isArray(result) ? result : [result]) as pg.QueryResult[]) {
    for (const field of r?.fields ?? []) {
      if (CATALOG_TEXT_OIDS.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
    }
  }
  return result;
}

/**
 * PostgreSQL 18 lists every NOT NULL as a pg_constraint row (contype 'n'); the 6.19.3
 * engine's constraint query lets them through by deny-list and the wasm engine panics
 * ("RuntimeError: unreachable") on the first one: prisma/orm#29635. Its upstream fix
 * (prisma-engines#5819) turns the deny-list into this allow-list.
 */
const PG18_CONSTRAINTS = { from: "AND contype NOT IN ('p', 'u', 'f')", to: "AND contype IN ('c', 'x')" };

function pg18Compatible(sql: string): string {
  return sql.includes(PG18_CONSTRAINTS.from) ? sql.replace(PG18_CONSTRAINTS.from, PG18_CONSTRAINTS.to) : sql;
}

/**
 * A pg client for the schema engine: results describe `name` and `"char"` columns as
 * text (their values already are strings), and its PG18-unaware query is corrected.
 */
class CatalogAsTextClient extends pg.Client {}
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
(CatalogAsTextClient.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (
  this: pg.Client,
  ...args: unknown[]
) {
  const first = args[0];
  if (typeof first === 'string') args[0] = pg18Compatible(first);
  else if (
    first &&
    typeof (first as { text?: unknown }).text === 'string' &&
    typeof (first as { submit?: unknown }).submit !== 'function'
  ) {
    args[0] = { ...(first as object), text: pg18Compatible((first as { text: string }).text) };
  }
  const last = args.length - 1;
  const callback = args[last];
  if (typeof callback === 'function') {
    args[last] = (err: Error | null, res: QueryResults) =>
      (callback as (e: Error | null, r: unknown) => void)(err, err ? res : catalogAsText(res));
    return query.apply(this, args);
  }
  const out = query.apply(this, args);
  return out instanceof Promise ? out.then(catalogAsText) : out;
};
