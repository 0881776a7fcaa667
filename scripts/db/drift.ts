import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { diffFolder } from './migrations';
import { MIGRATIONS_DIR, runPrisma, SCHEMA_PATH } from './prisma-cli';

/**
 * Throws, with the SQL that would close the gap, unless replaying the migrations
 * produces exactly the schema in `schemaPath`. The migrations are replayed into a
 * throwaway shadow database on the server at `databaseUrl` (its user needs CREATEDB).
 */
export async function checkDrift(opts: {
  databaseUrl: string;
  migrationsDir?: string;
  schemaPath?: string;
}): Promise<void> {
  const migrationsDir = opts.migrationsDir ?? MIGRATIONS_DIR;
  const schemaPath = opts.schemaPath ?? SCHEMA_PATH;
  const scratch = mkdtempSync(join(tmpdir(), 'leadflow-drift-'));
  const run = await runPrisma({
    args: [
      'migrate',
      'diff',
      '--from-migrations',
      diffFolder({ migrationsDir, scratch }),
      '--to-schema-datamodel',
      schemaPath,
      '--script',
      '--exit-code',
    ],
    databaseUrl: opts.databaseUrl,
    migrationsDir,
    // 0: no difference, 2: a difference (printed), anything else: the diff itself failed.
    okCodes: [0, 2],
  }).finally(() => rmSync(scratch, { recursive: true, force: true }));
  if (run.code === 2) {
    throw new Error(
      `the migrations in ${migrationsDir} do not produce ${schemaPath}; a new migration needs:\n${run.stdout.trim()}`,
    );
  }
}

// `tsx scripts/db/drift.ts`: check the real migrations against schema.prisma on DATABASE_URL's server.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error('drift: DATABASE_URL is not set (its server hosts the shadow database)');
    process.exit(1);
  }
  try {
    await checkDrift({ databaseUrl });
    console.log('drift: migrations match schema.prisma');
  } catch (err) {
    console.error(`drift: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
