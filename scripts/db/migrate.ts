import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { listMigrations } from './migrations';
import { MIGRATIONS_DIR, runPrisma } from './prisma-cli';

export interface DeployResult {
  /** Migrations this call applied, in order. */
  applied: string[];
  /** All migrations now recorded as finished. */
  recorded: string[];
}

/**
 * `prisma migrate deploy`, then proof that it did its job: every migration folder is
 * recorded as finished in `_prisma_migrations` and nothing else is. A CLI that reports
 * success without applying anything (a stand-in engine does exactly that) fails here.
 */
export async function migrateDeploy(opts: {
  databaseUrl: string;
  migrationsDir?: string;
  log?: (line: string) => void;
  /** Another Prisma CLI entry point (tests). */
  cli?: string;
}): Promise<DeployResult> {
  const migrationsDir = opts.migrationsDir ?? MIGRATIONS_DIR;
  const before = await recordedMigrations({ databaseUrl: opts.databaseUrl });
  await runPrisma({ args: ['migrate', 'deploy'], databaseUrl: opts.databaseUrl, migrationsDir, cli: opts.cli });
  const { recorded } = await verifyMigrations({ databaseUrl: opts.databaseUrl, migrationsDir, recordedBefore: before });
  const applied = recorded.filter((name) => !before.includes(name));
  opts.log?.(
    applied.length
      ? `applied ${applied.length} migration(s): ${applied.join(', ')}`
      : `database is up to date (${recorded.length} migrations)`,
  );
  return { applied, recorded };
}

/** Throws unless `_prisma_migrations` records exactly the folders in `migrationsDir` as finished. */
export async function verifyMigrations(opts: {
  databaseUrl: string;
  migrationsDir?: string;
  recordedBefore?: string[];
}): Promise<{ recorded: string[] }> {
  const migrationsDir = opts.migrationsDir ?? MIGRATIONS_DIR;
  const found = listMigrations({ migrationsDir });
  const recorded = await recordedMigrations({ databaseUrl: opts.databaseUrl });
  const missing = found.filter((name) => !recorded.includes(name));
  const unknown = recorded.filter((name) => !found.includes(name));
  const counts = `${found.length} migrations found, ${recorded.length} recorded`;
  if (missing.length > 0) {
    const nothing = opts.recordedBefore !== undefined && recorded.length === opts.recordedBefore.length;
    throw new Error(
      `migrate deploy ${nothing ? 'applied nothing' : 'left migrations unapplied'}: ${counts} (missing: ${missing.join(', ')})`,
    );
  }
  if (unknown.length > 0) {
    throw new Error(
      `the database records migrations that ${migrationsDir} does not have: ${counts} (unknown: ${unknown.join(', ')})`,
    );
  }
  return { recorded };
}

/** Names of migrations recorded as finished (and not rolled back); none if Prisma never ran here. */
export async function recordedMigrations(opts: { databaseUrl: string }): Promise<string[]> {
  const client = new pg.Client({ connectionString: opts.databaseUrl });
  await client.connect().catch((err: Error) => {
    const url = new URL(opts.databaseUrl);
    throw new Error(
      `cannot reach the database ${url.pathname.slice(1)} at ${url.hostname}:${url.port || 5432}: ${err.message}`,
    );
  });
  try {
    const { rows: exists } = await client.query<{ t: string | null }>(
      `SELECT to_regclass('_prisma_migrations')::text AS t`,
    );
    if (!exists[0]?.t) return [];
    const { rows } = await client.query<{ migration_name: string }>(
      `SELECT DISTINCT migration_name FROM _prisma_migrations
        WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
    );
    return rows.map((r) => r.migration_name);
  } finally {
    await client.end();
  }
}

// `npm run db:migrate`: deploy the migrations to DATABASE_URL.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error('db:migrate: DATABASE_URL is not set (npm start migrates its own local PostgreSQL)');
    process.exit(1);
  }
  try {
    const started = performance.now();
    await migrateDeploy({ databaseUrl, log: (l) => console.log(`db:migrate: ${l}`) });
    console.log(`db:migrate: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    console.error(`db:migrate: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
