import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigration } from '../../scripts/db/create-migration';
import { checkDrift } from '../../scripts/db/drift';
import { listMigrations } from '../../scripts/db/migrations';
import { MIGRATIONS_DIR, SCHEMA_PATH } from '../../scripts/db/prisma-cli';
import { startLocalPostgres, type LocalPostgres } from '../../scripts/toolchain/postgres';

const scratch = mkdtempSync(join(tmpdir(), 'leadflow-drift-'));
let server: LocalPostgres;

/** A copy of schema.prisma with one more column on Business. */
function changedSchema(): string {
  const dir = join(scratch, 'changed', 'prisma');
  mkdirSync(dir, { recursive: true });
  const original = readFileSync(SCHEMA_PATH, 'utf8');
  const changed = original.replace(/^(model Business \{\n)/m, '$1  nickname String?\n');
  expect(changed).not.toBe(original);
  writeFileSync(join(dir, 'schema.prisma'), changed);
  return join(dir, 'schema.prisma');
}

beforeAll(async () => {
  server = await startLocalPostgres({ dataDir: join(scratch, 'pg') });
});

afterAll(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('checkDrift', () => {
  it('passes when the migrations produce exactly schema.prisma', async () => {
    await expect(checkDrift({ databaseUrl: server.url })).resolves.toBeUndefined();
  });

  it('fails with the missing SQL when schema.prisma has changed', async () => {
    const schemaPath = changedSchema();
    const drift = checkDrift({ databaseUrl: server.url, schemaPath });
    await expect(drift).rejects.toThrow(/do not produce .*schema\.prisma; a new migration needs:/);
    await expect(drift).rejects.toThrow(/ALTER TABLE "businesses" ADD COLUMN\s+"nickname" TEXT/);
  });
});

describe('createMigration', () => {
  it('writes the diff as a new, later migration that closes the drift, and refuses an empty one', async () => {
    const migrationsDir = join(scratch, 'migrations');
    cpSync(MIGRATIONS_DIR, migrationsDir, { recursive: true });
    const schemaPath = changedSchema();
    await expect(createMigration({ name: 'nothing', migrationsDir, databaseUrl: server.url })).rejects.toThrow(
      /no migration written/,
    );
    expect(listMigrations({ migrationsDir })).toEqual(listMigrations({ migrationsDir: MIGRATIONS_DIR }));

    const dir = await createMigration({
      name: 'Add business nickname',
      migrationsDir,
      schemaPath,
      databaseUrl: server.url,
    });
    const names = listMigrations({ migrationsDir });
    expect(names.at(-1)).toMatch(/^\d{14}_add_business_nickname$/);
    expect(dir).toBe(join(migrationsDir, names.at(-1)!));
    expect(readFileSync(join(dir, 'migration.sql'), 'utf8')).toMatch(
      /ALTER TABLE "businesses" ADD COLUMN\s+"nickname" TEXT;/,
    );
    await expect(checkDrift({ databaseUrl: server.url, migrationsDir, schemaPath })).resolves.toBeUndefined();
  });

  it('starts from nothing: the first migration and the lock file', async () => {
    const migrationsDir = join(scratch, 'first');
    const dir = await createMigration({ name: 'init', migrationsDir, databaseUrl: server.url });
    expect(readFileSync(join(migrationsDir, 'migration_lock.toml'), 'utf8')).toBe(
      readFileSync(join(MIGRATIONS_DIR, 'migration_lock.toml'), 'utf8'),
    );
    expect(readFileSync(join(dir, 'migration.sql'), 'utf8')).toMatch(/^-- CreateTable\nCREATE TABLE "businesses"/);
    await expect(checkDrift({ databaseUrl: server.url, migrationsDir })).resolves.toBeUndefined();
  });
});
