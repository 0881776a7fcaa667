import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDeploy, verifyMigrations } from '../../scripts/db/migrate';
import { listMigrations } from '../../scripts/db/migrations';
import { MIGRATIONS_DIR } from '../../scripts/db/prisma-cli';
import { createDatabase, startLocalPostgres, type LocalPostgres } from '../../scripts/toolchain/postgres';

const scratch = mkdtempSync(join(tmpdir(), 'leadflow-migrate-'));
let server: LocalPostgres;
let databases = 0;

beforeAll(async () => {
  server = await startLocalPostgres({ dataDir: join(scratch, 'pg') });
});

afterAll(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function emptyDatabase(): Promise<string> {
  const name = `m_${++databases}`;
  await createDatabase(server.adminUrl, name);
  const url = new URL(server.adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

interface Recorded {
  migration_name: string;
  checksum: string;
  finished: boolean;
  applied_steps_count: number;
  started_at: Date;
}
const RECORDED = `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, applied_steps_count, started_at
                    FROM _prisma_migrations ORDER BY migration_name`;
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('migrateDeploy', () => {
  const real = listMigrations({ migrationsDir: MIGRATIONS_DIR });

  it('applies the real migrations to an empty database and records each in _prisma_migrations', async () => {
    expect(real.length).toBeGreaterThan(0);
    const url = await emptyDatabase();
    const result = await migrateDeploy({ databaseUrl: url });
    expect(result.applied).toEqual(real);
    const rows = await query<Recorded>(url, RECORDED);
    expect(rows.map((r) => r.migration_name)).toEqual(real);
    for (const row of rows) {
      expect(row.finished).toBe(true);
      expect(row.applied_steps_count).toBe(1);
      expect(row.checksum).toBe(sha256(join(MIGRATIONS_DIR, row.migration_name, 'migration.sql')));
    }
    const tables = await query<{ t: string }>(url, `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'`);
    expect(tables.map((t) => t.t)).toEqual(expect.arrayContaining(['businesses', 'leads', 'messages', 'audit_log']));

    // A second deploy is a no-op.
    const again = await migrateDeploy({ databaseUrl: url });
    expect(again).toEqual({ applied: [], recorded: real });
    expect(await query<Recorded>(url, RECORDED)).toEqual(rows);
  });

  it('fails loudly when the CLI reports success but applies nothing', async () => {
    // The trap: a stand-in engine prints "N migrations found", exits 0 and does nothing.
    const standIn = join(scratch, 'stand-in-prisma.mjs');
    writeFileSync(
      standIn,
      `console.log('${real.length + 1} migrations found in prisma/migrations');\nconsole.log('All migrations have been successfully applied.');\n`,
    );
    const url = await emptyDatabase();
    await expect(migrateDeploy({ databaseUrl: url, cli: standIn })).rejects.toThrow(
      `migrate deploy applied nothing: ${real.length} migrations found, 0 recorded (missing: ${real.join(', ')})`,
    );
  });

  it('fails when migration folders are not recorded as applied, or the database records unknown ones', async () => {
    const url = await emptyDatabase();
    await migrateDeploy({ databaseUrl: url });
    const more = join(scratch, 'more-migrations');
    cpSync(MIGRATIONS_DIR, more, { recursive: true });
    mkdirSync(join(more, '29990101000000_later'));
    writeFileSync(join(more, '29990101000000_later', 'migration.sql'), 'SELECT 1;\n');
    await expect(verifyMigrations({ databaseUrl: url, migrationsDir: more })).rejects.toThrow(
      `${real.length + 1} migrations found, ${real.length} recorded (missing: 29990101000000_later)`,
    );
    const fewer = join(scratch, 'no-migrations');
    mkdirSync(fewer);
    await expect(verifyMigrations({ databaseUrl: url, migrationsDir: fewer })).rejects.toThrow(
      /records migrations that .* does not have: 0 migrations found/,
    );
  });

  it('applies hand-written SQL with functions and DO blocks whole, and records it as Prisma does', async () => {
    const dir = join(scratch, 'rls-migrations');
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    const rls = join(dir, '29990101000000_rls');
    mkdirSync(rls);
    writeFileSync(
      join(rls, 'migration.sql'),
      `-- Row-level security: the tenant comes from a setting; a role of its own.
CREATE FUNCTION current_business_id() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('app.business_id', true), '')::uuid;
$$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'leadflow_test_rls_role') THEN
    CREATE ROLE leadflow_test_rls_role NOLOGIN;
  END IF;
END;
$$;

ALTER TABLE "leads" ENABLE ROW LEVEL SECURITY;
CREATE POLICY test_only_isolation ON "leads" TO leadflow_test_rls_role
  USING (business_id = current_business_id());
`,
    );
    const url = await emptyDatabase();
    const { applied } = await migrateDeploy({ databaseUrl: url, migrationsDir: dir });
    expect(applied.at(-1)).toBe('29990101000000_rls');
    const [row] = await query<Recorded>(
      url,
      `${RECORDED.replace('ORDER BY', `WHERE migration_name = '29990101000000_rls' ORDER BY`)}`,
    );
    expect(row).toMatchObject({ finished: true, applied_steps_count: 1, checksum: sha256(join(rls, 'migration.sql')) });
    expect(await query(url, `SELECT polname FROM pg_policy WHERE polname = 'test_only_isolation'`)).toHaveLength(1);
    expect(await query(url, `SELECT 1 FROM pg_roles WHERE rolname = 'leadflow_test_rls_role'`)).toHaveLength(1);
    const [tenant] = await query<{ id: string }>(
      url,
      `SELECT set_config('app.business_id', gen_random_uuid()::text, false) AS id`,
    );
    expect(tenant?.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('applies a migration atomically: a failure part-way leaves nothing behind', async () => {
    const dir = join(scratch, 'failing-migrations');
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    mkdirSync(join(dir, '29990101000000_broken'));
    writeFileSync(
      join(dir, '29990101000000_broken', 'migration.sql'),
      `CREATE TABLE half_done (id int);\nDO $$ BEGIN RAISE EXCEPTION 'boom: %', 42; END $$;\n`,
    );
    const url = await emptyDatabase();
    await expect(migrateDeploy({ databaseUrl: url, migrationsDir: dir })).rejects.toThrow(/boom: 42/);
    expect(await query(url, `SELECT to_regclass('half_done') AS t`)).toEqual([{ t: null }]);
  });
});
