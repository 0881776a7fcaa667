import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, join } from 'node:path';
import type { Env } from '../config/env';
import { createPrisma } from '../db/prisma';
import { ensureRuntimeLogin } from '../db/roles';
import { Client, Connection } from '@temporalio/client';
import { LOCAL_DEV_SERVER, SEARCH_ATTRIBUTES, temporalSettings } from '../temporal.config';
import { bootstrap } from './bootstrap';
import { migrateDeploy } from './db/migrate';
import { mintKey, seedDemoBusiness } from './seed';
import { ensureDemoOwner } from '../services/people/first-owner';
import { freePort } from './toolchain/free-port';
import { ROOT } from './toolchain/paths';
import { startLocalPostgres } from './toolchain/postgres';
import { startTemporalDevServer } from './toolchain/temporal-dev-server';
import { startTemporalServer } from './toolchain/temporal-server';

export interface LocalStack {
  apiUrl: string;
  /** Every API process (the first is `apiUrl`), each on its own port. */
  apiUrls: string[];
  temporalAddress: string;
  uiUrl?: string;
  /** The owner URL (migrations, seeding, benchmarks' inspection). */
  ownerDatabaseUrl: string;
  /** What the API and worker log in as. */
  runtimeDatabaseUrl: string;
  /** ownerSignIn: the demo owner's email and password, made at the first start only (printed once). */
  demo: { businessId: string; ownerKey: string | null; ownerSignIn: { email: string; password: string } | null };
  /** Environment the API and worker run with. */
  env: NodeJS.ProcessEnv;
  /** Fault injection (test:faults): kill and restart the pieces this stack started. */
  control: StackControl;
  stop(): Promise<void>;
}

export interface StackControl {
  /** SIGKILLs worker `index` (default 0) and waits until it is gone. */
  killWorker(index?: number): Promise<void>;
  /** Starts a worker in the place of one that was killed. */
  startWorker(index?: number): void;
  /**
   * Restarts API process `index` (SIGTERM, SIGKILL if it has not exited after `graceMs`, then
   * the same port) and waits until it is ready. Says whether the grace ran out.
   */
  restartApi(index?: number, graceMs?: number): Promise<{ killedAfterGrace: boolean }>;
  /** Stops the Temporal server and starts it again on the same ports and store (SQLite file or Postgres), `downMs` later. */
  restartTemporal(downMs?: number): Promise<void>;
  /** Stops the embedded Postgres (fast shutdown). */
  stopPostgres(): Promise<void>;
  /** Starts it again on the same port and data folder. */
  startPostgres(): Promise<void>;
}

export const RUNTIME_ROLE = 'leadflow_runtime';

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function portOr(preferred: number): Promise<number> {
  return (await isFree(preferred)) ? preferred : freePort();
}

/** A value generated once and kept in the data folder (development only). */
function kept(path: string, make: () => string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const value = make();
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  return value;
}

async function waitForReady(url: string, timeoutMs: number, exited: () => string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const gone = exited();
    if (gone) throw new Error(gone);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the API did not become ready at ${url}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The whole stack on embedded defaults — Postgres, migrations, the Temporal dev server, a
 * worker and the API as child processes — for `npm start` and the benchmarks. Each piece
 * that is configured (DATABASE_URL, TEMPORAL_ADDRESS) is used instead of its stand-in.
 */
export async function startLocalStack(opts: {
  config: Env;
  dataDir: string;
  log: (line: string) => void;
  /** Extra environment for the worker and API (benchmarks tune them). */
  env?: NodeJS.ProcessEnv;
  apiPort?: number;
  temporalPorts?: { port: number; uiPort: number | false };
  workers?: number;
  stdio?: 'inherit' | 'ignore';
  /** Each worker's and API's output in its own file here (worker-1.log, api-1.log, …) instead of `stdio`. */
  logDir?: string;
  /** `server`: the real Temporal server on this Postgres (LEADFLOW_TEMPORAL=server) instead of the dev server. */
  temporal?: 'dev' | 'server';
  /** API processes, each on its own port (default 1). */
  apis?: number;
  /** Keep Temporal's state in a SQLite file (default) so workflows survive a restart. */
  temporalPersistent?: boolean;
  /** Extra Node flags for the worker and API (benchmarks: `--cpu-prof`). */
  nodeArgs?: string[];
}): Promise<LocalStack> {
  const { config, dataDir, log } = opts;
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    mkdirSync(dataDir, { recursive: true });
    const realServer = !config.TEMPORAL_ADDRESS && opts.temporal === 'server';
    const tools = await bootstrap({
      temporalCli: !config.TEMPORAL_ADDRESS && !realServer,
      testServer: false,
      temporalServer: realServer,
      log,
    });

    let ownerUrl = config.DATABASE_URL;
    let runtimeUrl = config.DATABASE_URL;
    let pgServer: Awaited<ReturnType<typeof startLocalPostgres>> | undefined;
    if (!ownerUrl) {
      const pg = (pgServer = await startLocalPostgres({ dataDir: join(dataDir, 'postgres'), log }));
      stops.push(() => pgServer!.stop());
      ownerUrl = pg.url;
      log(`PostgreSQL on port ${pg.port}`);
    }
    await migrateDeploy({ databaseUrl: ownerUrl });
    if (!config.DATABASE_URL) {
      // The local server runs the API and worker as a non-owner role, as production should.
      runtimeUrl = await ensureRuntimeLogin({
        ownerUrl,
        role: RUNTIME_ROLE,
        password: kept(join(dataDir, 'runtime-password'), () => randomBytes(18).toString('base64url')),
      });
    }

    // Known before Temporal starts: the Web UI is told where the API's codec endpoint is.
    const port = opts.apiPort ?? (await portOr(config.PORT));
    let temporalAddress = config.TEMPORAL_ADDRESS;
    let uiUrl: string | undefined;
    let temporalServer: Awaited<ReturnType<typeof startTemporalDevServer>> | undefined;
    let temporalOptions: Parameters<typeof startTemporalDevServer>[0] | undefined;
    // The real server keeps its state in its own databases on this Postgres; a restart keeps its ports.
    let restartRealServer: ((downMs: number) => Promise<void>) | undefined;
    if (realServer) {
      const options: Parameters<typeof startTemporalServer>[0] = {
        tools: tools.temporalServer!,
        postgresUrl: ownerUrl,
        stateDir: join(dataDir, 'temporal-server'),
        namespace: config.TEMPORAL_NAMESPACE,
        port: opts.temporalPorts?.port ?? (await portOr(LOCAL_DEV_SERVER.port)),
        log,
      };
      let real = await startTemporalServer(options);
      stops.push(() => real.stop());
      restartRealServer = async (downMs) => {
        await real.stop();
        await new Promise((r) => setTimeout(r, downMs));
        real = await startTemporalServer({ ...options, ports: real.ports });
      };
      temporalAddress = real.address;
    }
    if (!temporalAddress) {
      temporalOptions = {
        cliPath: tools.temporalCli!,
        dbFile: opts.temporalPersistent === false ? undefined : join(dataDir, 'temporal.db'),
        port: opts.temporalPorts?.port ?? (await portOr(LOCAL_DEV_SERVER.port)),
        uiPort: opts.temporalPorts?.uiPort ?? (await portOr(LOCAL_DEV_SERVER.uiPort)),
        namespace: config.TEMPORAL_NAMESPACE,
        searchAttributes: Object.fromEntries(Object.values(SEARCH_ATTRIBUTES).map((a) => [a.name, a.type])),
        logFile: join(dataDir, 'temporal.log'),
        log,
        uiCodecEndpoint: `http://127.0.0.1:${port}/v1/codec`,
      };
      const server = (temporalServer = await startTemporalDevServer(temporalOptions));
      // The same port for a restart; the UI port too, so nothing else has to change.
      temporalOptions = {
        ...temporalOptions,
        port: Number(server.address.split(':').pop()),
        uiPort: server.uiUrl ? Number(new URL(server.uiUrl).port) : false,
      };
      stops.push(() => temporalServer!.stop());
      temporalAddress = server.address;
      uiUrl = server.uiUrl;
    }

    const db = createPrisma({ databaseUrl: ownerUrl, max: 2 });
    // The widget demo page is served by the API itself, so its origins must be allowed.
    // The seed starts the demo business's account workflow (it runs once the worker is up).
    const connection = await Connection.connect({
      ...temporalSettings(config, (p) => readFileSync(p)).connection,
      address: temporalAddress,
    });
    const { demo, widgetKey } = await (async () => {
      const seeded = await seedDemoBusiness(db, {
        widgetOrigins: [`http://127.0.0.1:${port}`, `http://localhost:${port}`],
        temporal: { client: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }) },
      });
      // Publishable keys are stored hashed too: the demo page gets a fresh one each start.
      const ownerSignIn = await ensureDemoOwner(db, seeded.businessId);
      return { demo: { ...seeded, ownerSignIn }, widgetKey: await mintKey(db, seeded.businessId, 'widget') };
    })().finally(() => Promise.allSettled([db.$disconnect(), connection.close()]));
    // Printed at once: if a later step fails, the key (stored only hashed) is not lost.
    if (demo.ownerKey) log(`demo owner API key (shown once): ${demo.ownerKey}`);
    if (demo.ownerSignIn)
      log(`demo owner sign-in (shown once): ${demo.ownerSignIn.email} / ${demo.ownerSignIn.password}`);

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: runtimeUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      PORT: String(port),
      LEADFLOW_DEMO_WIDGET_KEY: widgetKey,
      // Several workers (benchmarks) would fight over one metrics port.
      ...(opts.workers && opts.workers > 1 ? { WORKER_METRICS_PORT: '0' } : {}),
      ...(uiUrl && !process.env.TEMPORAL_UI_ORIGINS
        ? { TEMPORAL_UI_ORIGINS: [uiUrl, uiUrl.replace('127.0.0.1', 'localhost')].join(',') }
        : {}),
      ENCRYPTION_KEY:
        config.ENCRYPTION_KEY ?? kept(join(dataDir, 'encryption-key'), () => randomBytes(32).toString('hex')),
      ...opts.env,
    };
    const children: ChildProcess[] = [];
    const spawned = new Map<string, number>();
    const spawnService = (entry: string, extraEnv: NodeJS.ProcessEnv = {}) => {
      const name = basename(entry, '.ts') === 'main' ? basename(entry.split('/')[0]!) : basename(entry, '.ts');
      spawned.set(name, (spawned.get(name) ?? 0) + 1);
      const out = opts.logDir
        ? (mkdirSync(opts.logDir, { recursive: true }),
          openSync(join(opts.logDir, `${name}-${spawned.get(name)}.log`), 'a'))
        : (opts.stdio ?? 'inherit');
      const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', entry], {
        cwd: ROOT,
        env: { ...env, ...extraEnv },
        stdio: ['ignore', out, out],
      });
      if (typeof out === 'number') closeSync(out);
      children.push(child);
      stops.push(
        () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      );
      return child;
    };
    const workerChildren: ChildProcess[] = [];
    for (let i = 0; i < (opts.workers ?? 1); i += 1) workerChildren.push(spawnService('worker/main.ts'));
    const apiPorts = [port];
    while (apiPorts.length < (opts.apis ?? 1)) apiPorts.push(await freePort());
    const apiChildren = apiPorts.map((p) => spawnService('api/main.ts', { PORT: String(p) }));
    const apiUrls = apiPorts.map((p) => `http://127.0.0.1:${p}`);
    const apiUrl = apiUrls[0]!;
    const exited = () => {
      const dead = children.find((c) => c.exitCode !== null || c.signalCode !== null);
      return dead ? `a leadflow process exited during start (${dead.signalCode ?? dead.exitCode})` : null;
    };
    for (const url of apiUrls) await waitForReady(`${url}/readyz`, 90_000, exited);
    const control: StackControl = {
      async killWorker(index = 0) {
        const child = workerChildren[index];
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await gone;
      },
      startWorker(index = 0) {
        const child = workerChildren[index];
        if (child && child.exitCode === null && child.signalCode === null)
          throw new Error(`worker ${index} is still running`);
        workerChildren[index] = spawnService('worker/main.ts');
      },
      async restartApi(index = 0, graceMs = 30_000) {
        const child = apiChildren[index];
        if (!child) throw new Error(`there is no API process ${index}`);
        let killedAfterGrace = false;
        if (child.exitCode === null && child.signalCode === null) {
          const gone = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          // As an orchestrator does (Kubernetes waits 30 s by default).
          const timer = setTimeout(() => {
            killedAfterGrace = true;
            child.kill('SIGKILL');
          }, graceMs);
          await gone;
          clearTimeout(timer);
        }
        const fresh = (apiChildren[index] = spawnService('api/main.ts', { PORT: String(apiPorts[index]) }));
        const died = () =>
          fresh.exitCode !== null || fresh.signalCode !== null ? `API ${index} exited on restart` : null;
        await waitForReady(`${apiUrls[index]}/readyz`, 90_000, died);
        return { killedAfterGrace };
      },
      async restartTemporal(downMs = 0) {
        if (restartRealServer) return restartRealServer(downMs);
        if (!temporalServer || !temporalOptions)
          throw new Error('TEMPORAL_ADDRESS is configured: this stack did not start the Temporal server');
        await temporalServer.stop();
        await new Promise((r) => setTimeout(r, downMs));
        temporalServer = await startTemporalDevServer(temporalOptions);
      },
      async stopPostgres() {
        if (!pgServer) throw new Error('DATABASE_URL is configured: this stack did not start Postgres');
        await pgServer.stop();
      },
      async startPostgres() {
        if (!pgServer) throw new Error('DATABASE_URL is configured: this stack did not start Postgres');
        pgServer = await startLocalPostgres({ dataDir: join(dataDir, 'postgres'), port: pgServer.port, log });
      },
    };
    return {
      apiUrl,
      apiUrls,
      temporalAddress,
      uiUrl,
      ownerDatabaseUrl: ownerUrl,
      runtimeDatabaseUrl: runtimeUrl!,
      demo,
      env,
      control,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
