import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigOrExit } from '../config/load-config';
import { createPrisma } from '../db/prisma';
import { LOCAL_DEV_SERVER, SEARCH_ATTRIBUTES } from '../temporal.config';
import { bootstrap } from './bootstrap';
import { migrateDeploy } from './db/migrate';
import { seedDemoBusiness } from './seed';
import { freePort } from './toolchain/free-port';
import { DATA_DIR, ROOT } from './toolchain/paths';
import { startLocalPostgres } from './toolchain/postgres';
import { startTemporalDevServer } from './toolchain/temporal-dev-server';

/**
 * `npm start`: the whole stack on embedded defaults. Each piece that is configured
 * (DATABASE_URL, TEMPORAL_ADDRESS) is used instead of its local stand-in.
 */
const say = (line: string) => console.log(`leadflow: ${line}`);
const config = loadConfigOrExit();
const stops: Array<() => Promise<void>> = [];
let stopping = false;

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  for (const stop of stops.reverse()) await stop().catch(() => {});
  process.exit(code);
}
process.once('SIGINT', () => void shutdown(0));
process.once('SIGTERM', () => void shutdown(0));

async function portOr(preferred: number): Promise<number> {
  const probe = await freePort().catch(() => preferred);
  return (await isFree(preferred)) ? preferred : probe;
}

async function isFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function spawnService(name: string, entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
  child.once('exit', (code, signal) => {
    if (!stopping) {
      say(`${name} exited (${signal ?? code}); stopping the stack`);
      void shutdown(1);
    }
  });
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
}

async function waitForReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
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

try {
  const started = performance.now();
  mkdirSync(DATA_DIR, { recursive: true });
  const tools = await bootstrap({ temporalCli: !config.TEMPORAL_ADDRESS, testServer: false, log: say });

  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    const pg = await startLocalPostgres({ dataDir: join(DATA_DIR, 'postgres'), log: say });
    stops.push(pg.stop);
    databaseUrl = pg.url;
    say(`PostgreSQL on port ${pg.port} (data in .data/postgres)`);
  }
  await migrateDeploy({ databaseUrl });

  let temporalAddress = config.TEMPORAL_ADDRESS;
  let uiUrl: string | undefined;
  if (!temporalAddress) {
    const server = await startTemporalDevServer({
      cliPath: tools.temporalCli!,
      dbFile: join(DATA_DIR, 'temporal.db'),
      port: await portOr(LOCAL_DEV_SERVER.port),
      uiPort: await portOr(LOCAL_DEV_SERVER.uiPort),
      namespace: config.TEMPORAL_NAMESPACE,
      searchAttributes: Object.fromEntries(Object.values(SEARCH_ATTRIBUTES).map((a) => [a.name, a.type])),
      logFile: join(DATA_DIR, 'temporal.log'),
      log: say,
    });
    stops.push(server.stop);
    temporalAddress = server.address;
    uiUrl = server.uiUrl;
  }

  const db = createPrisma({ databaseUrl, max: 2 });
  const demo = await seedDemoBusiness(db);
  await db.$disconnect();

  const port = await portOr(config.PORT);
  const env = { ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress, PORT: String(port) };
  spawnService('worker', 'worker/main.ts', env);
  spawnService('API', 'api/main.ts', env);
  const apiUrl = `http://127.0.0.1:${port}`;
  await waitForReady(`${apiUrl}/readyz`, 60_000);

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    [
      '',
      `leadflow is up (${seconds} s).`,
      `  API            ${apiUrl}`,
      `  Temporal UI    ${uiUrl ?? '(external Temporal: use its own UI)'}`,
      `  Demo business  ${demo.businessId}`,
      demo.ownerKey
        ? `  Owner API key  ${demo.ownerKey}\n                 (shown once: it is stored hashed; \`npm run demo-key\` mints another)`
        : '  Owner API key  shown at the first start; `npm run demo-key` mints another',
      '',
      'Try:',
      `  curl -s -X POST ${apiUrl}/v1/leads -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \\`,
      `       -d '{"name":"Dana Whitfield","phone":"(212) 555-0142","message":"Water heater leaking"}'`,
      `  curl -s ${apiUrl}/v1/leads/<id> -H "Authorization: Bearer $KEY"`,
      '',
      'Ctrl-C stops everything; data stays in .data/ for the next start.',
    ].join('\n'),
  );
} catch (err) {
  console.error(`leadflow: could not start: ${err instanceof Error ? err.message : String(err)}`);
  await shutdown(1);
}
