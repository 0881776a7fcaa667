import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../toolchain/paths';

export const SCHEMA_PATH = join(ROOT, 'prisma', 'schema.prisma');
export const MIGRATIONS_DIR = join(ROOT, 'prisma', 'migrations');
export const PRISMA_CLI = join(ROOT, 'node_modules', 'prisma', 'build', 'index.js');

export interface PrismaRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The wasm schema engine awaits Postgres' advisory lock under a 10 s timer and never
 * clears it, so every migrate command would linger 10 s after finishing. Unref'ing only
 * timers the engine creates lets the process end once its database work is done.
 */
const UNREF_ENGINE_TIMERS = `
const setTimeout_ = globalThis.setTimeout;
globalThis.setTimeout = function (fn, ms, ...rest) {
  const timer = setTimeout_(fn, ms, ...rest);
  if (ms >= 10000 && /wasm-function/.test(new Error().stack ?? '')) timer.unref();
  return timer;
};`;
const PRELOAD = `data:text/javascript;base64,${Buffer.from(UNREF_ENGINE_TIMERS).toString('base64')}`;

/**
 * Runs the Prisma 6 CLI from node_modules with prisma.config.ts (wasm schema engine over
 * our pg adapter). Throws PrismaCliError unless the exit code is one of `okCodes`.
 */
export async function runPrisma(opts: {
  args: string[];
  databaseUrl?: string;
  migrationsDir?: string;
  okCodes?: number[];
  /** Another CLI entry point; tests use a stand-in to reproduce a deploy that applies nothing. */
  cli?: string;
}): Promise<PrismaRun> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Without it the CLI fetches the native query engine library (for the default
    // engineType "library") before any command, which fails offline; the client runs
    // on the wasm query compiler and the pg adapter, so it needs no engine.
    PRISMA_CLIENT_ENGINE_TYPE: 'client',
    // Never `npm install` anything behind our back (generate does when it cannot resolve prisma).
    PRISMA_GENERATE_SKIP_AUTOINSTALL: '1',
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    NO_COLOR: '1',
  };
  delete env.DATABASE_URL;
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  if (opts.migrationsDir) env.LEADFLOW_MIGRATIONS_DIR = opts.migrationsDir;
  const child = spawn(
    process.execPath,
    ['--import', PRELOAD, opts.cli ?? PRISMA_CLI, ...opts.args, '--config', join(ROOT, 'prisma.config.ts')],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
  });
  const run = { code, stdout, stderr };
  if (!(opts.okCodes ?? [0]).includes(code)) throw new PrismaCliError(`prisma ${opts.args.slice(0, 2).join(' ')}`, run);
  return run;
}

export class PrismaCliError extends Error {
  override name = 'PrismaCliError';
  constructor(
    command: string,
    readonly run: PrismaRun,
  ) {
    super(`${command} failed (exit ${run.code}): ${prismaError(run)}`);
  }
}

/** The error Prisma reported, without its banner, warnings and engine backtrace. */
export function prismaError(run: PrismaRun): string {
  const text = /^Error\b/m.test(run.stderr) ? run.stderr : `${run.stderr}\n${run.stdout}`;
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^Error\b/.test(l.trim()));
  const relevant = (start >= 0 ? lines.slice(start) : lines.slice(-15))
    .filter((l) => !/^\s+\d+: \S+::|^\s+(with|at) /.test(l))
    .map((l) => l.trimEnd())
    .filter(Boolean);
  const message = relevant.join('\n').replace(/^Error:\s*/, '') || '(no output)';
  // The backtrace is the only place that names the migration that failed.
  const migration = /migration_name="([^"]+)"/.exec(text)?.[1];
  return migration && !message.includes(migration) ? `${message}\n(in migration ${migration})` : message;
}
