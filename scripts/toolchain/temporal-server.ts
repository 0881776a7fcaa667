import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { closeSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import { setupCluster } from '../../temporal.cluster';
import { SEARCH_ATTRIBUTES } from '../../temporal.config';
import { freePort } from './free-port';
import { ROOT, TOOLS_DIR } from './paths';
import { isExecutableFile, run, withInstallLock } from './temporal';
import { openOutput, spawnWatchdog, terminate } from './temporal-dev-server';

/**
 * The real Temporal server (the one clusters run), built from its Go module: frontend,
 * history, matching and worker services in one process, PostgreSQL persistence and SQL
 * visibility. Used by `LEADFLOW_TEMPORAL=server npm start` and `npm run test:cluster`.
 */
export const TEMPORAL_SERVER = {
  module: 'go.temporal.io/server',
  version: 'v1.32.2',
  // v1.32 needs Go ≥ 1.26.10; this toolchain comes from the Go module proxy (TOOLCHAIN.md).
  goToolchain: 'go1.27.3',
  // Fixed when the cluster's databases are created: a later start must use the same number.
  historyShards: 4,
} as const;

/** Kept in the repository; the server polls it, so edits apply without a restart. */
export const DYNAMIC_CONFIG = join(ROOT, 'config', 'temporal-server', 'dynamicconfig.yaml');

const CACHE_DIR = join(TOOLS_DIR, 'temporal-server');
const STAMP = join(CACHE_DIR, 'stamp.json');
const HOST = '127.0.0.1';

type Log = (line: string) => void;

export interface TemporalServerTools {
  server: string;
  /** The server's schema tool (temporal-sql-tool), built from the same module version. */
  sql: string;
  /** The module's folder in the Go module cache: the PostgreSQL schemas live there. */
  moduleDir: string;
}

const goEnv = (): NodeJS.ProcessEnv => ({ ...process.env, GOTOOLCHAIN: TEMPORAL_SERVER.goToolchain, GOBIN: CACHE_DIR });

/** The server and its SQL tool from `.tools/temporal-server/`, built with `go install` when missing (minutes). */
export async function ensureTemporalServer(opts: { log?: Log } = {}): Promise<TemporalServerTools> {
  const log = opts.log ?? (() => {});
  const server = join(CACHE_DIR, 'server');
  const sql = join(CACHE_DIR, 'sql');
  const built = () => readStamp() === TEMPORAL_SERVER.version && isExecutableFile(server) && isExecutableFile(sql);
  if (!built()) {
    await withInstallLock({
      log,
      fn: async () => {
        if (built()) return;
        mkdirSync(CACHE_DIR, { recursive: true });
        for (const pkg of ['cmd/server', 'cmd/tools/sql']) {
          const target = `${TEMPORAL_SERVER.module}/${pkg}@${TEMPORAL_SERVER.version}`;
          log(`building ${target} with go install (about 6 minutes on 2 cores the first time)`);
          const started = performance.now();
          const go = await run({ cmd: 'go', args: ['install', target], env: goEnv(), timeoutMs: 45 * 60_000 });
          if (go.code !== 0)
            throw new Error(`GOTOOLCHAIN=${TEMPORAL_SERVER.goToolchain} go install ${target} failed (${go.summary})`);
          log(`built ${pkg} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
        }
        const version = await run({ cmd: server, args: ['--version'], timeoutMs: 30_000 });
        if (!version.stdout.includes(TEMPORAL_SERVER.version.slice(1)))
          throw new Error(`the built server does not report version ${TEMPORAL_SERVER.version} (${version.summary})`);
        // Written last: a stamp means both binaries are complete.
        writeFileSync(
          STAMP,
          `${JSON.stringify({ version: TEMPORAL_SERVER.version, builtAt: new Date().toISOString() })}\n`,
        );
      },
    });
  }
  return { server, sql, moduleDir: await moduleDir(log) };
}

function readStamp(): string | undefined {
  try {
    return (JSON.parse(readFileSync(STAMP, 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** The module's source in the module cache (schemas), downloaded again if the cache was cleaned. */
async function moduleDir(log: Log): Promise<string> {
  const env = await run({ cmd: 'go', args: ['env', 'GOMODCACHE'], env: goEnv(), timeoutMs: 60_000 });
  const dir = join(env.stdout.trim(), `${TEMPORAL_SERVER.module}@${TEMPORAL_SERVER.version}`);
  if (env.code === 0 && existsSync(join(dir, 'schema', 'postgresql', 'v12'))) return dir;
  log(`downloading ${TEMPORAL_SERVER.module}@${TEMPORAL_SERVER.version} into the Go module cache (its schemas)`);
  const target = `${TEMPORAL_SERVER.module}@${TEMPORAL_SERVER.version}`;
  const dl = await run({ cmd: 'go', args: ['mod', 'download', '-json', target], env: goEnv(), timeoutMs: 10 * 60_000 });
  const downloaded = dl.code === 0 ? (JSON.parse(dl.stdout) as { Dir?: string }).Dir : undefined;
  if (!downloaded) throw new Error(`go mod download ${target} failed (${dl.summary})`);
  return downloaded;
}

export interface TemporalServerPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

export interface TemporalServerOptions {
  tools: TemporalServerTools;
  /** A Postgres URL whose user may create databases; the server keeps its own two there. */
  postgresUrl: string;
  /** Its generated config file and log. */
  stateDir: string;
  namespace: string;
  /** The frontend's port (a free one if omitted); a restart passes the `ports` it got. */
  port?: number;
  ports?: TemporalServerPorts;
  databases?: { main: string; visibility: string };
  log?: Log;
  readyTimeoutMs?: number;
}

export interface TemporalServer {
  address: string;
  namespace: string;
  ports: TemporalServerPorts;
  stop(): Promise<void>;
}

/**
 * Creates the server's databases and brings their schemas up to date with its own SQL tool
 * (idempotent), starts the server, and resolves once the namespace and leadflow's search
 * attributes are registered (temporal.cluster.ts, as `npm run temporal:setup` does).
 */
export async function startTemporalServer(opts: TemporalServerOptions): Promise<TemporalServer> {
  const log = opts.log ?? (() => {});
  const databases = opts.databases ?? { main: 'temporal', visibility: 'temporal_visibility' };
  const pgUrl = new URL(opts.postgresUrl);
  const db = {
    host: pgUrl.hostname,
    port: Number(pgUrl.port || 5432),
    user: decodeURIComponent(pgUrl.username),
    password: decodeURIComponent(pgUrl.password),
  };
  await setUpSchemas({ tools: opts.tools, db, databases, log });

  const ports = opts.ports ?? (await pickPorts(opts.port));
  mkdirSync(opts.stateDir, { recursive: true });
  const configFile = join(opts.stateDir, 'temporal-server.json');
  // JSON is YAML: no YAML writer needed for the server's config file.
  writeFileSync(configFile, JSON.stringify(serverConfig({ ports, db, databases }), null, 2), { mode: 0o600 });
  const check = await run({
    cmd: opts.tools.server,
    args: ['validate-dynamic-config', DYNAMIC_CONFIG],
    timeoutMs: 60_000,
  });
  if (check.code !== 0) throw new Error(`${DYNAMIC_CONFIG} is not valid dynamic config (${check.summary})`);

  const address = `${HOST}:${ports.frontend}`;
  const logFile = join(opts.stateDir, 'temporal-server.log');
  const output = openOutput(logFile);
  log(
    `starting the Temporal server on ${address} (PostgreSQL ${db.host}:${db.port}, ${TEMPORAL_SERVER.historyShards} history shards)`,
  );
  const child = spawn(opts.tools.server, ['--config-file', configFile, '--allow-no-auth', 'start'], {
    cwd: opts.stateDir,
    stdio: ['ignore', output.fd ?? 'pipe', output.fd ?? 'pipe'],
  });
  if (output.fd !== undefined) closeSync(output.fd);
  output.attach(child);
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      resolve(`could not run ${opts.tools.server} (${err.code ?? err.message})`),
    );
    child.once('exit', (code, signal) => resolve(`the server exited with ${signal ?? `code ${code}`}`));
  });
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  const watchdog = spawnWatchdog(child);
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      process.removeListener('exit', killOnExit);
      await terminate(child);
      if (watchdog?.pid) process.kill(watchdog.pid, 'SIGTERM');
    })().catch(() => {
      // the watchdog already left
    }));

  const giveUp = new AbortController();
  try {
    await Promise.race([
      waitUntilReady({
        address,
        namespace: opts.namespace,
        timeoutMs: opts.readyTimeoutMs ?? 90_000,
        signal: giveUp.signal,
        log,
      }),
      exited.then((how) => Promise.reject(new Error(how))),
    ]);
  } catch (err) {
    giveUp.abort();
    const tail = output.tail().split('\n').map(readableLogLine).join('\n');
    await stop();
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `could not start the Temporal server on ${address}: ${reason}${tail ? `\n--- last lines of ${logFile} ---\n${tail}` : ''}`,
    );
  }
  log(`Temporal server ready on ${address} (log ${logFile})`);
  void exited.then((how) => {
    if (!stopped) log(`the Temporal server on ${address} stopped on its own: ${how}`);
  });
  return { address, namespace: opts.namespace, ports, stop };
}

interface DbAccess {
  host: string;
  port: number;
  user: string;
  password: string;
}

async function setUpSchemas(opts: {
  tools: TemporalServerTools;
  db: DbAccess;
  databases: { main: string; visibility: string };
  log: Log;
}): Promise<void> {
  const { tools, db, log } = opts;
  const sqlEnv = {
    ...process.env,
    SQL_PLUGIN: 'postgres12',
    SQL_HOST: db.host,
    SQL_PORT: String(db.port),
    SQL_USER: db.user,
    SQL_PASSWORD: db.password,
  };
  const schemaRoot = join(tools.moduleDir, 'schema', 'postgresql', 'v12');
  const sqlTool = async (database: string, args: string[]) => {
    const out = await run({ cmd: tools.sql, args: ['--db', database, ...args], env: sqlEnv, timeoutMs: 5 * 60_000 });
    if (out.code !== 0) throw new Error(`temporal-sql-tool --db ${database} ${args[0]} failed (${out.summary})`);
  };
  for (const [database, folder] of [
    [opts.databases.main, 'temporal'],
    [opts.databases.visibility, 'visibility'],
  ] as const) {
    const state = await schemaState({ db, database });
    if (state === 'no-database') {
      log(`creating database ${database} with temporal-sql-tool`);
      await sqlTool(database, ['create-database']);
    }
    if (state !== 'versioned') await sqlTool(database, ['setup-schema', '-v', '0.0']);
    // Applies only the versions the database does not have yet.
    await sqlTool(database, ['update-schema', '-d', join(schemaRoot, folder, 'versioned')]);
  }
}

async function schemaState(opts: { db: DbAccess; database: string }): Promise<'no-database' | 'empty' | 'versioned'> {
  const connect = async (database: string) => {
    const client = new pg.Client({ ...opts.db, database });
    await client.connect();
    return client;
  };
  const admin = await connect('postgres');
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [opts.database]);
    if (!rowCount) return 'no-database';
  } finally {
    await admin.end();
  }
  const client = await connect(opts.database);
  try {
    const { rows } = await client.query<{ t: string | null }>("SELECT to_regclass('public.schema_version')::text AS t");
    return rows[0]?.t ? 'versioned' : 'empty';
  } finally {
    await client.end();
  }
}

async function pickPorts(frontend?: number): Promise<TemporalServerPorts> {
  const taken = new Set<number>(frontend ? [frontend] : []);
  const next = async () => {
    for (;;) {
      const p = await freePort(HOST);
      if (!taken.has(p)) {
        taken.add(p);
        return p;
      }
    }
  };
  // The SQL schema stores membership ports as smallint: they must be below 32768, where the
  // OS does not hand out ephemeral ports, so they are probed at random in 20000–32767.
  const nextMembership = async () => {
    for (;;) {
      const p = 20_000 + Math.floor(Math.random() * 12_768);
      if (!taken.has(p) && (await isFree(p))) {
        taken.add(p);
        return p;
      }
    }
  };
  return {
    frontend: frontend ?? (await next()),
    frontendHttp: await next(),
    frontendMembership: await nextMembership(),
    history: await next(),
    historyMembership: await nextMembership(),
    matching: await next(),
    matchingMembership: await nextMembership(),
    worker: await next(),
    workerMembership: await nextMembership(),
  };
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/** The module's development-postgres12.yaml, on our ports and database, without archival, pprof or metrics listeners. */
function serverConfig(opts: {
  ports: TemporalServerPorts;
  db: DbAccess;
  databases: { main: string; visibility: string };
}) {
  const { ports, db } = opts;
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${db.host}:${db.port}`,
      connectProtocol: 'tcp',
      user: db.user,
      password: db.password,
      // Each of the four services opens its own pools: keep them inside Postgres's 100 connections.
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const rpc = (grpcPort: number, membershipPort: number, extra: Record<string, number> = {}) => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra },
  });
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: TEMPORAL_SERVER.historyShards,
      datastores: {
        'postgres-default': store(opts.databases.main, 10),
        'postgres-visibility': store(opts.databases.visibility, 3),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: HOST } },
    services: {
      frontend: rpc(ports.frontend, ports.frontendMembership, { httpPort: ports.frontendHttp }),
      history: rpc(ports.history, ports.historyMembership),
      matching: rpc(ports.matching, ports.matchingMembership),
      worker: rpc(ports.worker, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `${HOST}:${ports.frontend}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: DYNAMIC_CONFIG, pollInterval: '10s' },
  };
}

async function waitUntilReady(opts: {
  address: string;
  namespace: string;
  timeoutMs: number;
  signal: AbortSignal;
  log: Log;
}): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastProblem = 'no answer yet';
  let connection: Connection | undefined;
  let changed = false;
  try {
    while (Date.now() < deadline && !opts.signal.aborted) {
      try {
        connection ??= await Connection.connect({ address: opts.address, connectTimeout: 2_000 });
        const report = await setupCluster(connection, { namespace: opts.namespace, retentionDays: 7, waitMs: 20_000 });
        if (report.namespace === 'registered' || report.added.length) changed = true;
        if (report.namespace === 'registered') opts.log(`namespace ${opts.namespace} registered`);
        if (report.added.length) opts.log(`search attributes registered: ${report.added.join(', ')}`);
        // The services learn a namespace's search attributes from their namespace caches
        // (refreshed every 2 s): a start upserting one before that is refused. A visibility
        // query naming all of them passes once the frontend knows them; one more refresh
        // period covers history and matching.
        await connection.workflowService.listWorkflowExecutions({
          namespace: opts.namespace,
          pageSize: 1,
          query: Object.values(SEARCH_ATTRIBUTES)
            .map((a) =>
              a.type === 'Datetime' ? `${a.name} < '2000-01-01T00:00:00Z'` : `${a.name} = 'readiness-probe'`,
            )
            .join(' AND '),
        });
        if (changed) await new Promise((r) => setTimeout(r, 2_500));
        return;
      } catch (err) {
        // "shard status unknown" and the like in the first seconds are normal.
        lastProblem = err instanceof Error ? err.message : String(err);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await connection?.close().catch(() => {});
  }
  throw new Error(`not ready after ${opts.timeoutMs / 1000} s (${lastProblem})`);
}

/** The server logs JSON with long stack traces: keep what explains a failure. */
function readableLogLine(line: string): string {
  try {
    const entry = JSON.parse(line) as { level?: string; msg?: string; error?: string };
    return `${entry.level ?? ''}: ${entry.msg ?? ''}${entry.error ? ` (${entry.error})` : ''}`.slice(0, 400);
  } catch {
    return line.slice(0, 400);
  }
}
