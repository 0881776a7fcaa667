import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiKeyRole } from '../api/auth/api-keys';
import { loadConfig } from '../config/load-config';
import { createPrisma } from '../db/prisma';
import { mintKey } from './seed';
import { startLocalStack } from './stack';
import { auditHar, escapeRegex, operationsOf, summaryCounts, type Operation } from './fuzz-contract';
import { probeCorpus, probeMismatch, replayProbes } from './fuzz-corpus';
import { ROOT } from './toolchain/paths';
import { ensureSchemathesis, type SchemathesisCommand } from './toolchain/schemathesis';

/**
 * `npm run test:fuzz [-- --max-examples=500] [-- --seed=N] [-- --passes=owner,operator]`:
 * schemathesis against /openapi.json of a throwaway local stack (Postgres, the Temporal dev
 * server, a worker and the API), once per key role. A pass fails on any 5xx and on any
 * answer the document does not describe: an undocumented status, a body that does not
 * match its schema (every 4xx is `{ error: { code, message, details } }`), a wrong content
 * type. Unknown arguments go to `schemathesis run` as they are (e.g.
 * `--include-path-regex=/v1/leads`).
 *
 * Generation reaches what the document describes: valid and (`--mode all`) invalid values
 * of each declared type, format and pattern. It does not reach shapes hidden inside a
 * value (a cursor is base64 of a time and an id; a codec payload's key id sits in
 * base64 metadata) or combinations (two dates both near year 9999), and it sends only
 * valid UTF-8. Those come from the probe corpus (scripts/fuzz-corpus.ts), replayed first
 * with the owner key and counted as a pass of its own.
 */

/** What each check proves; none is ever dropped to make a run pass. */
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'response_schema_conformance',
  'content_type_conformance',
];

interface Options {
  maxExamples: number;
  seed: number;
  passes: string[];
  workers: number;
  extra: string[];
}

/**
 * One schemathesis worker by default: with two, Python 3.11's `ast` module (used by
 * Hypothesis to describe strategies) is not thread-safe and a run ended in "AST
 * constructor recursion depth mismatch" (cpython#106905), an error in the tool, not the API.
 */
function parseArgs(argv: string[]): Options {
  const opts: Options = { maxExamples: 25, seed: 20261123, passes: Object.keys(PASSES), workers: 1, extra: [] };
  const ours = new Set(['--max-examples', '-n', '--seed', '--workers', '--passes']);
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    // `--seed=7` or `--seed 7`.
    const [name, value] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : ours.has(arg)
        ? [arg, argv[++i] ?? '']
        : [arg, ''];
    const int = () => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number`);
      return n;
    };
    if (name === '--max-examples' || name === '-n') opts.maxExamples = int();
    else if (name === '--seed') opts.seed = int();
    else if (name === '--workers') opts.workers = int();
    else if (name === '--passes') opts.passes = value.split(',').filter(Boolean);
    else opts.extra.push(arg);
  }
  for (const p of opts.passes)
    if (!PASSES[p]) throw new Error(`unknown pass ${p} (passes: ${Object.keys(PASSES).join(', ')})`);
  return opts;
}

type Credential = ApiKeyRole | 'admin' | 'revocable';

interface Pass {
  /** Which credential goes in the Authorization header. */
  credential: Credential;
  /** Which operations ("GET /v1/leads/{id}") of the document the pass fuzzes. */
  selects: (op: Operation) => boolean;
  /** Path ids of a real lead instead of generated ones, so the fuzzing gets past the 404. */
  realLead?: boolean;
  why: string;
}

const REVOKE_KEY = 'DELETE /v1/api-keys/{id}';

/**
 * The owner pass covers every operation but one with generated ids (the owner may call
 * all but the widget's and the platform admin's, and must get a documented 401 or 403 for
 * those); each role pass covers the operations its role may call (`x-roles` in the
 * document) with a real lead's id, so its fuzzing reaches past the role check and the 404.
 * Webhooks stay in the owner pass: unsigned, fuzzed bodies must get a documented 4xx.
 * Revoking a key runs last with a key of its own: schemathesis learns key ids from
 * GET /v1/api-keys and, once it has made a second owner key, may rightly revoke the key it
 * is calling with (everything after that would be 401 and then a lockout).
 */
const PASSES: Record<string, Pass> = {
  owner: {
    credential: 'owner',
    selects: (op) => op.name !== REVOKE_KEY,
    why: 'every operation except revoking a key, generated ids',
  },
  operator: {
    credential: 'operator',
    selects: (op) => op.roles.includes('operator'),
    realLead: true,
    why: "the operator's operations, a real lead id",
  },
  compliance: {
    credential: 'compliance',
    selects: (op) => op.roles.includes('compliance'),
    realLead: true,
    why: "the compliance role's operations, a real lead id",
  },
  widget: {
    credential: 'widget',
    selects: (op) => op.roles.includes('widget'),
    why: 'capture and widget config with a publishable key',
  },
  admin: { credential: 'admin', selects: (op) => op.security.includes('adminToken'), why: 'platform admin operations' },
  revoke: {
    credential: 'revocable',
    selects: (op) => op.name === REVOKE_KEY,
    why: 'revoking keys, with an owner key of its own',
  },
};

interface PassResult {
  name: string;
  code: number | null;
  operations: number;
  examples: number;
  /** Failed test cases plus schemathesis' own errors (either fails the run). */
  failures: number;
  seconds: number;
}

const say = (line: string) => console.log(`fuzz: ${line}`);

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const st = await ensureSchemathesis({ log: say });
  const dataDir = mkdtempSync(join(tmpdir(), 'leadflow-fuzz-'));
  const reportDir = join(ROOT, 'test-artifacts', 'fuzz');
  rmSync(reportDir, { recursive: true, force: true });
  mkdirSync(reportDir, { recursive: true });
  const adminToken = randomBytes(24).toString('base64url');
  say('starting a throwaway stack (Postgres, Temporal dev server, worker, API)…');
  // startLocalStack stops what it started if it fails; the data folder is ours to remove.
  const stack = await startLocalStack({
    config: loadConfig({}),
    dataDir,
    log: () => {},
    temporalPersistent: false,
    stdio: 'inherit',
    // The API logs each 5xx with its stack frames at level error: that is what a finding needs.
    env: {
      LOG_LEVEL: 'error',
      WORKER_METRICS_PORT: '0',
      ADMIN_TOKEN: adminToken,
      NODE_ENV: 'development',
      // Fuzzed leads must never reach a real provider from the caller's shell: local SMS outbox, no AI, no Stripe.
      ...Object.fromEntries(
        [
          'TWILIO_ACCOUNT_SID',
          'TWILIO_AUTH_TOKEN',
          'ANTHROPIC_API_KEY',
          'STRIPE_SECRET_KEY',
          'STRIPE_WEBHOOK_SECRET',
          'GOOGLE_CLIENT_ID',
          'GOOGLE_CLIENT_SECRET',
        ].map((name) => [name, '']),
      ),
    },
  }).catch((err: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  try {
    const credentials = await mintCredentials({
      databaseUrl: stack.ownerDatabaseUrl,
      businessId: stack.demo.businessId,
      ownerKey: stack.demo.ownerKey,
      adminToken,
    });
    const leadId = await captureLead(stack.apiUrl, credentials.owner);
    say(
      `stack up at ${stack.apiUrl} in ${Math.round((Date.now() - started) / 1000)} s; seed ${opts.seed}, at most ${opts.maxExamples} examples per operation`,
    );
    const ops = operationsOf(await (await fetch(`${stack.apiUrl}/openapi.json`)).json());
    const results: PassResult[] = [await corpusPass(stack.apiUrl, credentials.owner, ops)];
    for (const name of opts.passes) {
      const pass = PASSES[name]!;
      // GET /v1/events answers with a stream that stays open: no generated request would ever end (test/api/live-events.test.ts covers it).
      const selected = ops.filter((op) => pass.selects(op) && op.name !== 'GET /v1/events').map((op) => op.name);
      say(`pass ${name}: ${pass.why} (${selected.length} of ${ops.length} operations)…`);
      if (selected.length === 0) continue;
      const filter = ['--include-name-regex', `^(${selected.map(escapeRegex).join('|')})$`];
      results.push(
        await runPass({
          st,
          name,
          ops,
          filter,
          realLead: pass.realLead === true,
          token: credentials[pass.credential],
          leadId,
          apiUrl: stack.apiUrl,
          reportDir,
          opts,
        }),
      );
    }
    const total = results.reduce(
      (a, r) => ({
        operations: a.operations + r.operations,
        examples: a.examples + r.examples,
        failures: a.failures + r.failures,
      }),
      { operations: 0, examples: 0, failures: 0 },
    );
    const broken = results.filter((r) => r.code !== 0 || r.failures > 0);
    for (const r of results)
      say(
        `  ${r.name}: ${r.operations} operations, ${r.examples} examples, ${r.failures} failures, ${r.seconds} s${r.code !== 0 ? ` (schemathesis exit ${r.code})` : ''}`,
      );
    say(
      `${broken.length === 0 ? 'PASS' : 'FAIL'}: ${total.operations} operations tested in ${results.length} passes, ${total.examples} examples, ${total.failures} failures, ${Math.round((Date.now() - started) / 1000)} s (seed ${opts.seed}); reports in test-artifacts/fuzz`,
    );
    return broken.length === 0 ? 0 : 1;
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function mintCredentials(opts: {
  databaseUrl: string;
  businessId: string;
  ownerKey: string | null;
  adminToken: string;
}): Promise<Record<Credential, string>> {
  const db = createPrisma({ databaseUrl: opts.databaseUrl, max: 1 });
  try {
    return {
      owner: opts.ownerKey ?? (await mintKey(db, opts.businessId, 'owner', 'fuzz')),
      operator: await mintKey(db, opts.businessId, 'operator', 'fuzz'),
      compliance: await mintKey(db, opts.businessId, 'compliance', 'fuzz'),
      widget: await mintKey(db, opts.businessId, 'widget', 'fuzz'),
      revocable: await mintKey(db, opts.businessId, 'owner', 'fuzz (revoke pass)'),
      admin: opts.adminToken,
    };
  } finally {
    await db.$disconnect();
  }
}

/** One real lead, through the API, whose id the role passes use. */
async function captureLead(apiUrl: string, key: string): Promise<string> {
  const res = await fetch(`${apiUrl}/v1/leads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Fuzz Target',
      phone: '+12125550199',
      message: 'Leaking tap',
      consent: { text: 'I agree to receive texts about my request. Reply STOP to opt out.' },
    }),
  });
  const body = (await res.json()) as { id?: string };
  if (res.status !== 202 || !body.id) throw new Error(`capturing the fuzz target lead answered ${res.status}`);
  return body.id;
}

/** The probe corpus, replayed against the stack: each probe must get its 4xx in the error shape. */
async function corpusPass(apiUrl: string, ownerKey: string, ops: Operation[]): Promise<PassResult> {
  const started = Date.now();
  const probes = probeCorpus(ops);
  say(`pass corpus: ${probes.length} hand-made probes (ids, cursors, dates, codec key ids, bytes)…`);
  const mismatches = (await replayProbes(apiUrl, ownerKey, probes))
    .map(probeMismatch)
    .filter((m): m is string => m !== null);
  for (const m of mismatches) say(`  corpus: ${m}`);
  return {
    name: 'corpus',
    code: 0,
    operations: new Set(probes.map((p) => p.operation)).size,
    examples: probes.length,
    failures: mismatches.length,
    seconds: Math.round((Date.now() - started) / 1000),
  };
}

async function runPass(opts: {
  st: SchemathesisCommand;
  name: string;
  ops: Operation[];
  filter: string[];
  realLead: boolean;
  token: string;
  leadId: string;
  apiUrl: string;
  reportDir: string;
  opts: Options;
}): Promise<PassResult> {
  const { st, name, token, apiUrl, reportDir } = opts;
  const started = Date.now();
  const junit = join(reportDir, `${name}.junit.xml`);
  const configFile = join(reportDir, `${name}.toml`);
  writeFileSync(configFile, opts.realLead ? `[parameters]\n"path.id" = "${opts.leadId}"\n` : '');
  const args = [
    ...st.args,
    '--config-file',
    configFile,
    'run',
    `${apiUrl}/openapi.json`,
    '--url',
    apiUrl,
    '--header',
    `Authorization: Bearer ${token}`,
    '--checks',
    CHECKS.join(','),
    '--max-examples',
    String(opts.opts.maxExamples),
    // Invalid values of each declared format too (a path id that is not a UUID, a day that is not a date), not only valid ones.
    '--mode',
    'all',
    '--seed',
    String(opts.opts.seed),
    '--workers',
    String(opts.opts.workers),
    '--generation-database',
    'none',
    // The key is fixed for the pass; generated Authorization values would only lock the address out.
    '--generation-with-security-parameters',
    'false',
    '--report',
    'junit,vcr,har',
    '--report-har-path',
    join(reportDir, `${name}.har`),
    '--report-junit-path',
    junit,
    '--report-vcr-path',
    join(reportDir, `${name}.vcr.yaml`),
    '--no-color',
    ...opts.filter,
    ...opts.opts.extra,
  ];
  let output = '';
  const code = await new Promise<number | null>((resolve) => {
    // schemathesis keeps a cache (.schemathesis/) in its working folder: the git-ignored report folder.
    const child = spawn(st.cmd, args, { cwd: reportDir, env: st.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (c: Buffer) => {
      // Keys never reach the terminal or the saved output.
      const text = c.toString().replaceAll(token, '<key>');
      output += text;
      process.stdout.write(text);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('close', (c) => resolve(c));
    child.once('error', () => resolve(null));
  });
  writeFileSync(join(reportDir, `${name}.log`), output);
  const counts = summaryCounts(output);
  const findings = auditHar(join(reportDir, `${name}.har`), opts.ops);
  for (const f of findings) say(`  ${name}: ${f.count} × ${f.what} (first: ${f.example})`);
  const failures = counts.failures + findings.length;
  return { name, code, ...counts, failures, seconds: Math.round((Date.now() - started) / 1000) };
}

process.exitCode = await main().catch((err: unknown) => {
  console.error(`fuzz: ${err instanceof Error ? err.message : String(err)}`);
  return 1;
});
process.exit();
