import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateClient } from './db/generate';
import { ROOT, TOOLS_DIR } from './toolchain/paths';
import { ensureTemporalCli, ensureTestServer } from './toolchain/temporal';

export interface Toolchain {
  temporalCli: string | null;
  testServer: string | null;
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
 * CLI (unless a cluster is configured), the time-skipping test server (tests only) and the
 * generated Prisma client. Idempotent; cached under `.tools/`.
 */
export async function bootstrap(opts: {
  temporalCli: boolean;
  testServer: boolean;
  log?: (line: string) => void;
}): Promise<Toolchain> {
  const log = opts.log ?? (() => {});
  await ensurePrismaClient(log);
  const temporalCli = opts.temporalCli ? await ensureTemporalCli({ log }) : null;
  const testServer = opts.testServer ? await ensureTestServer({ log }) : null;
  return { temporalCli, testServer };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = performance.now();
  const tools = await bootstrap({ temporalCli: true, testServer: true, log: (l) => console.log(`bootstrap: ${l}`) });
  console.log(`bootstrap: temporal CLI ${tools.temporalCli}`);
  console.log(`bootstrap: test server  ${tools.testServer}`);
  console.log(`bootstrap: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
