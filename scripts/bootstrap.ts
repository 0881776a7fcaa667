import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateClient } from './db/generate';
import { ROOT, TOOLS_DIR } from './toolchain/paths';
import { ensureTemporalCli, ensureTestServer } from './toolchain/temporal';
import { ensureTemporalServer, type TemporalServerTools } from './toolchain/temporal-server';

export interface Toolchain {
  temporalCli: string | null;
  testServer: string | null;
  /** The real Temporal server and its SQL tool (LEADFLOW_TEMPORAL=server, test:cluster). */
  temporalServer: TemporalServerTools | null;
}

const CLIENT_STAMP = join(TOOLS_DIR, 'prisma-client.stamp');
const GENERATED_CLIENT = join(ROOT, 'node_modules', '.prisma', 'client', 'index.js');

/** Regenerates the Prisma client only when schema.prisma changed since the last run. */
export async function ensurePrismaClient(log: (line: string) => void): Promise<void> {
  const schema = readFileSync(join(ROOT, 'prisma', 'schema.prisma'));
  const fingerprint = createHash('sha256').update(schema).digest('hex');
  const stamp = existsSync(CLIENT_STAMP) ? readFileSync(CLIENT_STAMP, 'utf8').trim() : '';
  if (stamp === fingerprint && existsSync(GENERATED_CLIENT)) return;
  log('generating the Prisma client');
  await generateClient();
  mkdirSync(TOOLS_DIR, { recursive: true });
  writeFileSync(CLIENT_STAMP, fingerprint);
}

/**
 * Everything `npm start` and `npm test` need that `npm ci` cannot install: the Temporal
 * CLI (unless a cluster is configured), the time-skipping test server (tests only), the real
 * Temporal server when asked (`--temporal-server`) and the generated Prisma client. Idempotent; cached under `.tools/`.
 */
export async function bootstrap(opts: {
  temporalCli: boolean;
  testServer: boolean;
  /** Build the real Temporal server from its Go module (minutes the first time). */
  temporalServer?: boolean;
  log?: (line: string) => void;
}): Promise<Toolchain> {
  const log = opts.log ?? (() => {});
  await ensurePrismaClient(log);
  const temporalCli = opts.temporalCli ? await ensureTemporalCli({ log }) : null;
  const testServer = opts.testServer ? await ensureTestServer({ log }) : null;
  const temporalServer = opts.temporalServer ? await ensureTemporalServer({ log }) : null;
  return { temporalCli, testServer, temporalServer };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = performance.now();
  const tools = await bootstrap({
    temporalCli: true,
    testServer: true,
    temporalServer: process.argv.includes('--temporal-server') || process.env.LEADFLOW_TEMPORAL === 'server',
    log: (l) => console.log(`bootstrap: ${l}`),
  });
  console.log(`bootstrap: temporal CLI ${tools.temporalCli}`);
  console.log(`bootstrap: test server  ${tools.testServer}`);
  if (tools.temporalServer) console.log(`bootstrap: temporal server ${tools.temporalServer.server}`);
  console.log(`bootstrap: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
