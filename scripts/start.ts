import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigOrExit } from '../config/load-config';
import { DATA_DIR } from './toolchain/paths';
import { startLocalStack, type LocalStack } from './stack';
import { appIsStale } from './app/app-freshness';
import { buildApp } from './app/build-app';

/**
 * `npm start`: the whole stack on embedded defaults, Ctrl-C to stop. Data stays in
 * .data/ for the next start.
 */
const say = (line: string) => console.log(`leadflow: ${line}`);
const config = loadConfigOrExit();
// `LEADFLOW_TEMPORAL=server`: the real Temporal server (built once from its Go module) on this
// Postgres instead of the dev server, as clusters run it.
const temporalKind = process.env.LEADFLOW_TEMPORAL?.trim() || 'dev';
if (temporalKind !== 'dev' && temporalKind !== 'server') {
  console.error(`leadflow: LEADFLOW_TEMPORAL must be dev or server, not ${JSON.stringify(temporalKind)}`);
  process.exit(64);
}
const started = performance.now();
let stack: LocalStack | undefined;
let stopping = false;

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  await stack?.stop();
  process.exit(code);
}
process.once('SIGINT', () => void shutdown(0));
process.once('SIGTERM', () => void shutdown(0));

try {
  // The business app at /app: rebuilt when its sources changed since the last build.
  if (appIsStale()) {
    say('building the app (app/dist)…');
    await buildApp({ quiet: true });
  }
  stack = await startLocalStack({ config, dataDir: DATA_DIR, log: say, temporal: temporalKind });
  // For `npm run demo-key` and scripts: where this start put things (no secrets).
  writeFileSync(
    join(DATA_DIR, 'stack.json'),
    JSON.stringify(
      {
        apiUrl: stack.apiUrl,
        temporalAddress: stack.temporalAddress,
        uiUrl: stack.uiUrl,
        databaseUrl: stack.ownerDatabaseUrl,
      },
      null,
      2,
    ),
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const { apiUrl, uiUrl, demo } = stack;
  const noUi = config.TEMPORAL_ADDRESS
    ? '(external Temporal: use its own UI)'
    : `(none with the real server: \`temporal workflow list --address ${stack.temporalAddress}\`)`;
  console.log(
    [
      '',
      `leadflow is up (${seconds} s).`,
      `  API            ${apiUrl}   (reference: ${apiUrl}/docs)`,
      `  Temporal UI    ${uiUrl ?? noUi}`,
      `  Widget demo    ${apiUrl}/widget/demo`,
      `  Demo business  ${demo.businessId}`,
      demo.ownerKey
        ? `  Owner API key  ${demo.ownerKey}\n                 (shown once: it is stored hashed; \`npm run demo-key\` mints another)`
        : '  Owner API key  shown at the first start; `npm run demo-key` mints another',
      demo.ownerSignIn
        ? `  App sign-in    ${apiUrl}/app  as ${demo.ownerSignIn.email} / ${demo.ownerSignIn.password}\n                 (shown once: stored as a bcrypt hash; reset it from the sign-in page)`
        : '  App sign-in    owner@demo.leadflow.local (its password was shown at the first start)',
      '',
      'Try:',
      `  KEY=<the owner key>`,
      `  curl -s -X POST ${apiUrl}/v1/leads -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \\`,
      `       -d '{"name":"Dana Whitfield","phone":"(212) 555-0142","message":"Water heater leaking","consent":{"text":"I agree to receive texts about my request."}}'`,
      `  curl -s ${apiUrl}/v1/leads/<id> -H "Authorization: Bearer $KEY"`,
      `  curl -s ${apiUrl}/v1/dev/outbox -H "Authorization: Bearer $KEY"          # what was texted`,
      '',
      'Ctrl-C stops everything; data stays in .data/ for the next start.',
    ].join('\n'),
  );
} catch (err) {
  console.error(`leadflow: could not start: ${err instanceof Error ? err.message : String(err)}`);
  await shutdown(1);
}
