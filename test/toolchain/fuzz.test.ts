import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { createPrisma } from '../../db/prisma';
import { createLogger } from '../../logging/logger';
import {
  auditExchanges,
  operationsOf,
  summaryCounts,
  type Exchange,
  type Operation,
} from '../../scripts/fuzz-contract';
import {
  BAD_CURSORS,
  NOT_UUIDS,
  probeCorpus,
  probeMismatch,
  replayProbes,
  type Probe,
} from '../../scripts/fuzz-corpus';
import { ROOT } from '../../scripts/toolchain/paths';
import { SCHEMATHESIS } from '../../scripts/toolchain/schemathesis';

/**
 * The pieces of `npm run test:fuzz` that can be checked without a stack: the schemathesis
 * install (against a stand-in python3 that records its calls) and the audit that holds
 * every answer to the served document.
 */

const FAKE_PYTHON = `#!/bin/sh
echo "python3 $*" >> "$FAKE_DIR/calls"
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then
  target=""
  while [ $# -gt 0 ]; do case "$1" in --target) target="$2"; shift 2;; *) shift;; esac; done
  if [ "$FAKE_PIP" = fail ]; then echo "ERROR: No matching distribution found for schemathesis" >&2; exit 1; fi
  mkdir -p "$target/bin" "$target/schemathesis"; echo "# fake" > "$target/bin/schemathesis"
  exit 0
fi
echo "schemathesis, version \${FAKE_VERSION:-${SCHEMATHESIS.pypi.version}}"
`;

const RUNNER = `
const mod = await import(process.env.SCHEMATHESIS_MODULE);
try {
  const c = await mod.ensureSchemathesis({ log: (l) => console.error('log: ' + l) });
  console.log(JSON.stringify({ args: c.args, pythonPath: c.env.PYTHONPATH }));
} catch (err) {
  console.log(JSON.stringify({ error: err.message }));
}
`;

let scratch: string;
let fakeBin: string;
let runner: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'leadflow-fuzz-test-'));
  fakeBin = join(scratch, 'bin');
  mkdirSync(fakeBin);
  writeFileSync(join(fakeBin, 'python3'), FAKE_PYTHON);
  chmodSync(join(fakeBin, 'python3'), 0o755);
  runner = join(scratch, 'runner.mts');
  writeFileSync(runner, RUNNER);
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function ensure(opts: { tools: string; fakeDir: string; env?: Record<string, string> }): {
  args?: string[];
  pythonPath?: string;
  error?: string;
} {
  const out = spawnSync(process.execPath, ['--import', 'tsx', runner], {
    cwd: ROOT,
    env: {
      ...process.env,
      PATH: `${fakeBin}${delimiter}${process.env.PATH ?? ''}`,
      LEADFLOW_TOOLS_DIR: opts.tools,
      SCHEMATHESIS_MODULE: join(ROOT, 'scripts', 'toolchain', 'schemathesis.ts'),
      FAKE_DIR: opts.fakeDir,
      ...opts.env,
    },
    encoding: 'utf8',
  });
  return JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '{}') as {
    args?: string[];
    pythonPath?: string;
    error?: string;
  };
}

const calls = (fakeDir: string) =>
  existsSync(join(fakeDir, 'calls')) ? readFileSync(join(fakeDir, 'calls'), 'utf8').trim().split('\n') : [];

describe('installing schemathesis (stand-in python3)', () => {
  it(
    'installs the pinned version with pip --target into the tools folder once; the next call runs nothing',
    { timeout: 60_000 },
    () => {
      const fakeDir = mkdtempSync(join(scratch, 'case-'));
      const tools = join(fakeDir, 'tools');
      const first = ensure({ tools, fakeDir });
      expect(first.error).toBeUndefined();
      expect(first.args).toEqual([join(tools, 'schemathesis', 'bin', 'schemathesis')]);
      expect(first.pythonPath?.split(':')[0]).toBe(join(tools, 'schemathesis'));
      const pip = calls(fakeDir).filter((c) => c.includes('-m pip install'));
      expect(pip).toHaveLength(1);
      expect(pip[0]).toContain(`schemathesis==${SCHEMATHESIS.pypi.version}`);
      expect(pip[0]).toMatch(/--target \S*\/\.stage-/);
      expect(JSON.parse(readFileSync(join(tools, 'schemathesis.stamp.json'), 'utf8'))).toMatchObject({
        tool: 'schemathesis',
        source: 'pypi',
        version: SCHEMATHESIS.pypi.version,
      });

      const before = calls(fakeDir).length;
      expect(ensure({ tools, fakeDir }).args).toEqual(first.args);
      expect(calls(fakeDir)).toHaveLength(before);
    },
  );

  it('a failed pip install is an error naming the package, and leaves no stamp to trust', { timeout: 60_000 }, () => {
    const fakeDir = mkdtempSync(join(scratch, 'case-'));
    const tools = join(fakeDir, 'tools');
    const result = ensure({ tools, fakeDir, env: { FAKE_PIP: 'fail' } });
    expect(result.error).toMatch(/schemathesis==4\.32\.5 failed .*No matching distribution/);
    expect(existsSync(join(tools, 'schemathesis.stamp.json'))).toBe(false);
    expect(existsSync(join(tools, 'schemathesis'))).toBe(false);
  });

  it('a package that installs but reports another version is not stamped', { timeout: 60_000 }, () => {
    const fakeDir = mkdtempSync(join(scratch, 'case-'));
    const tools = join(fakeDir, 'tools');
    expect(ensure({ tools, fakeDir, env: { FAKE_VERSION: '3.0.0' } }).error).toMatch(/does not run/);
    expect(existsSync(join(tools, 'schemathesis.stamp.json'))).toBe(false);
  });
});

describe('the contract audit', () => {
  let ops: Operation[];
  beforeAll(async () => {
    const app = createApp({
      db: createPrisma({ databaseUrl: 'postgresql://nobody:nothing@127.0.0.1:1/none' }),
      temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
      log: createLogger({ name: 'test', level: 'silent' }),
      settings: { localSms: true, adminToken: 'x'.repeat(32) },
    });
    ops = operationsOf((await request(app).get('/openapi.json')).body);
  });

  const error = (code: string) => JSON.stringify({ error: { code, message: 'm', details: null } });
  const exchange = (method: string, path: string, status: number, text: string | null): Exchange => ({
    request: { method, url: `http://127.0.0.1:3000${path}?q=1` },
    response: { status, content: { text } },
  });

  it('reads every operation with its key roles, so each role pass reaches what the role may call', () => {
    const byName = new Map(ops.map((o) => [o.name, o]));
    expect(byName.get('POST /v1/leads')?.roles).toEqual(expect.arrayContaining(['owner', 'operator', 'widget']));
    expect(byName.get('GET /v1/compliance/deletion-receipts')?.roles).toContain('compliance');
    expect(byName.get('POST /v1/businesses')?.security).toEqual(['adminToken']);
    // Every key-authenticated operation says which roles may call it.
    for (const op of ops.filter((o) => o.security.includes('apiKey')))
      expect({ op: op.name, roles: op.roles.length > 0 }).toEqual({ op: op.name, roles: true });
    // A route that takes a JSON body documents what its body parsers answer.
    expect([...byName.get('POST /v1/leads')!.statuses]).toEqual(expect.arrayContaining([202, 400, 413, 415]));
  });

  it('passes documented 4xx answers in the error shape, and 404 for paths no route knows', () => {
    const findings = auditExchanges(
      [
        exchange('POST', '/v1/leads', 202, '{"id":"x","status":"accepted"}'),
        exchange('POST', '/v1/leads', 400, error('bad_request')),
        exchange('POST', '/v1/leads', 415, error('unsupported_media_type')),
        exchange('GET', '/v1/leads/3f2a8c1e-9b4d-4e7a-8c21-5d6f7a8b9c0d', 404, error('not_found')),
        exchange('GET', '/v1/leads/a%2Fb/c', 404, error('not_found')),
      ],
      ops,
    );
    expect(findings).toEqual([]);
  });

  it('flags any 5xx, an undocumented 4xx and a 4xx outside the error shape, counted per operation', () => {
    const findings = auditExchanges(
      [
        exchange('GET', '/v1/leads', 500, error('internal')),
        exchange('GET', '/v1/leads', 500, error('internal')),
        exchange('GET', '/v1/business', 415, error('unsupported_media_type')),
        exchange('GET', '/v1/leads/abc', 400, '<html>Bad Request</html>'),
        exchange('GET', '/v1/leads/abc', 400, JSON.stringify({ message: 'no error object' })),
        exchange('PUT', '/v1/nowhere', 405, error('method')),
      ],
      ops,
    );
    expect(findings).toEqual([
      { what: 'GET /v1/leads answered 500', count: 2, example: 'GET /v1/leads' },
      {
        what: 'GET /v1/business answered 415, which the document does not give it',
        count: 1,
        example: 'GET /v1/business',
      },
      { what: 'GET /v1/leads/{id} answered 400 without the error shape', count: 2, example: 'GET /v1/leads/abc' },
      {
        what: 'PUT (no documented route) answered 405, which the document does not give it',
        count: 1,
        example: 'PUT /v1/nowhere',
      },
    ]);
  });
});

describe('the probe corpus (what generation does not reach)', () => {
  let ops: Operation[];
  beforeAll(async () => {
    const app = createApp({
      db: createPrisma({ databaseUrl: 'postgresql://nobody:nothing@127.0.0.1:1/none' }),
      temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
      log: createLogger({ name: 'test', level: 'silent' }),
      settings: { localSms: true, adminToken: 'x'.repeat(32) },
    });
    ops = operationsOf((await request(app).get('/openapi.json')).body);
  });

  it('documents every path id as a UUID, so negative generation sends ids that are not', async () => {
    const withIds = ops.filter((o) => o.params > 0);
    expect(withIds.length).toBeGreaterThan(5);
    const app = createApp({
      db: createPrisma({ databaseUrl: 'postgresql://nobody:nothing@127.0.0.1:1/none' }),
      temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
      log: createLogger({ name: 'test', level: 'silent' }),
      settings: { localSms: true, adminToken: 'x'.repeat(32) },
    });
    const doc = (await request(app).get('/openapi.json')).body as {
      paths: Record<string, Record<string, { parameters?: Array<{ in: string; schema: { format?: string } }> }>>;
    };
    for (const op of withIds) {
      const [method, path] = [op.method.toLowerCase(), op.name.slice(op.method.length + 1)];
      const params = doc.paths[path]![method]!.parameters!.filter((p) => p.in === 'path');
      expect({ op: op.name, formats: params.map((p) => p.schema.format) }).toEqual({
        op: op.name,
        formats: params.map(() => 'uuid'),
      });
    }
  });

  it('probes every id route the owner may call with ids that are not UUIDs, and every cursor', () => {
    const probes = probeCorpus(ops);
    for (const op of ops.filter((o) => o.params > 0 && o.roles.includes('owner')))
      for (const id of NOT_UUIDS)
        expect(probes).toContainEqual(
          expect.objectContaining({ operation: op.name, name: `${op.name} with id "${id.slice(0, 40)}"`, status: 404 }),
        );
    const cursored = ops.filter((o) => o.method === 'GET' && o.query.includes('cursor'));
    expect(cursored.map((o) => o.name)).toEqual(expect.arrayContaining(['GET /v1/leads', 'GET /v1/privacy/requests']));
    for (const op of cursored)
      expect(probes.filter((p) => p.operation === op.name && p.field === 'cursor')).toHaveLength(BAD_CURSORS.length);
    expect(probes.map((p) => p.operation)).toEqual(
      expect.arrayContaining(['GET /v1/analytics', 'POST /v1/codec/decode', 'POST /v1/leads']),
    );
    // The invalid UTF-8 probes carry the bytes themselves.
    const bytes = probes.find((p) => p.name.includes('0xC3 0x28'))!.body as Buffer;
    expect(Buffer.isBuffer(bytes) && bytes.includes(Buffer.from([0xc3, 0x28]))).toBe(true);
  });

  it('replays probes over HTTP with the bytes as they are, and flags a 5xx, another status or an unnamed field', async () => {
    const seen: Array<{ url: string; body: Buffer }> = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', body: Buffer.concat(chunks) });
        const answer = (status: number, message: string) =>
          res
            .writeHead(status, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: { code: 'x', message, details: null } }));
        if (req.url === '/crash') return answer(500, 'internal error');
        if (req.url === '/vague') return answer(400, 'request body is not valid');
        return answer(400, 'name: is not valid UTF-8');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const probe = (path: string, over: Partial<Probe> = {}): Probe => ({
      operation: 'POST /v1/leads',
      name: path,
      method: 'POST',
      path,
      body: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]),
      status: 400,
      field: 'name',
      ...over,
    });
    try {
      const results = await replayProbes(base, 'k', [
        probe('/ok'),
        probe('/crash'),
        probe('/vague'),
        probe('/ok', { status: 404 }),
      ]);
      expect(seen[0]!.body).toEqual(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]));
      expect(results.map(probeMismatch)).toEqual([
        null,
        '/crash: answered 500, expected 400',
        '/vague: the message does not name name',
        '/ok: answered 400, expected 404',
      ]);
    } finally {
      server.close();
    }
  });
});

describe("reading schemathesis' summary", () => {
  it('counts operations, test cases, failed cases and the tool’s own errors', () => {
    const passed =
      '  Tested: 21\n\nTest cases:\n  2062 generated, 2062 passed\n\n============ 4 warnings in 35.25s ============\n';
    expect(summaryCounts(passed)).toEqual({ operations: 21, examples: 2062, failures: 0 });
    const broken =
      '  Tested: 21\n\nTest cases:\n  327 generated, 22 found 22 unique failures\n\n======== 22 failures, 1 error, 1 warning in 13.75s ========\n';
    expect(summaryCounts(broken)).toEqual({ operations: 21, examples: 327, failures: 23 });
    const toolError =
      '  Tested: 5\n\nTest cases:\n  714 generated, 714 passed\n\n======== 1 error, 2 warnings in 23.19s ========\n';
    expect(summaryCounts(toolError)).toEqual({ operations: 5, examples: 714, failures: 1 });
  });
});
