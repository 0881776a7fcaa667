import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startLocalPostgres } from '../toolchain/postgres';
import { diffFolder, hasLockFile, listMigrations, LOCK_FILE, LOCK_FILE_CONTENT } from './migrations';
import { MIGRATIONS_DIR, runPrisma, SCHEMA_PATH } from './prisma-cli';

/**
 * Writes `<migrationsDir>/<yyyymmddhhmmss>_<name>/migration.sql`: the SQL that takes the
 * existing migrations to `schemaPath`. The migrations are replayed into a shadow database
 * on `databaseUrl`'s server, or DATABASE_URL's, or else a throwaway local PostgreSQL.
 * Refuses to write an empty migration. Returns the new folder's path.
 */
export async function createMigration(opts: {
  name: string;
  migrationsDir?: string;
  schemaPath?: string;
  databaseUrl?: string;
  log?: (line: string) => void;
}): Promise<string> {
  const migrationsDir = opts.migrationsDir ?? MIGRATIONS_DIR;
  const schemaPath = opts.schemaPath ?? SCHEMA_PATH;
  const name = migrationName(opts.name);
  const scratch = mkdtempSync(join(tmpdir(), 'leadflow-migration-'));
  chmodSync(scratch, 0o711); // a throwaway Postgres runs as another user when we are root
  const databaseUrl = opts.databaseUrl ?? process.env.DATABASE_URL;
  const local = databaseUrl ? null : await startLocalPostgres({ dataDir: join(scratch, 'postgres'), log: opts.log });
  try {
    const output = join(scratch, 'migration.sql');
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
        '--output',
        output,
      ],
      databaseUrl: databaseUrl ?? local!.url,
      migrationsDir,
      okCodes: [0, 2],
    });
    const sql = existsSync(output) ? readFileSync(output, 'utf8') : '';
    if (run.code === 0 || !sql.trim() || /^-- This is an empty migration\.\s*$/.test(sql.trim())) {
      throw new Error(`no migration written: the migrations in ${migrationsDir} already produce ${schemaPath}`);
    }
    const dir = join(migrationsDir, `${timestamp({ after: listMigrations({ migrationsDir }).at(-1) })}_${name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'migration.sql'), sql);
    if (!hasLockFile({ migrationsDir })) writeFileSync(join(migrationsDir, LOCK_FILE), LOCK_FILE_CONTENT);
    opts.log?.(`wrote ${join(dir, 'migration.sql')}`);
    return dir;
  } finally {
    await local?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The name part as Prisma makes it: lower case, words joined by `_`. */
export function migrationName(raw: string): string {
  const name = raw
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!name) throw new Error(`invalid migration name "${raw}": use letters, digits and _`);
  if (name.length > 200) throw new Error('migration name too long (200 characters at most)');
  return name;
}

/** UTC yyyymmddhhmmss, later than the newest existing migration so the order holds. */
function timestamp(opts: { after?: string }): string {
  const format = (d: Date) => d.toISOString().replace(/\D/g, '').slice(0, 14);
  let now = new Date();
  const last = opts.after?.slice(0, 14);
  if (last && /^\d{14}$/.test(last) && format(now) <= last) {
    const t = last.replace(/^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)$/, '$1-$2-$3T$4:$5:$6Z');
    now = new Date(Date.parse(t) + 1000);
  }
  return format(now);
}

// `npm run db:migration -- <name>`
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const raw = process.argv.slice(2).join(' ');
  if (!raw.trim()) {
    console.error('db:migration: usage: npm run db:migration -- <name>');
    process.exit(1);
  }
  try {
    await createMigration({ name: raw, log: (l) => console.log(`db:migration: ${l}`) });
  } catch (err) {
    console.error(`db:migration: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
