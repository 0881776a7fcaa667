import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { freePort } from './free-port';

export type SearchAttributeKind = 'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

export interface TemporalDevServerOptions {
  cliPath: string;
  /** Omit for an in-memory server; with a file, workflows survive a restart. */
  dbFile?: string;
  port?: number;
  /** `false` runs headless (no Web UI). Omitted: a free port. */
  uiPort?: number | false;
  namespace: string;
  searchAttributes: Record<string, SearchAttributeKind>;
  /** Server output goes here (appended); otherwise only its tail is kept for error messages. */
  logFile?: string;
  log?: (line: string) => void;
  /** How long to wait for the server to serve the namespace and its search attributes. */
  readyTimeoutMs?: number;
  /** The Web UI decodes encrypted payloads through this codec server (the API's /v1/codec). */
  uiCodecEndpoint?: string;
}

export interface TemporalDevServer {
  address: string;
  uiUrl?: string;
  namespace: string;
  stop(): Promise<void>;
}

// temporal.api.enums.v1.IndexedValueType, without depending on @temporalio/proto directly.
const INDEXED_VALUE_TYPE: Record<SearchAttributeKind, number> = {
  Text: 1,
  Keyword: 2,
  Int: 3,
  Double: 4,
  Bool: 5,
  Datetime: 6,
  KeywordList: 7,
};

const HOST = '127.0.0.1';

/** Starts `temporal server start-dev` and resolves once the namespace and its search attributes are usable. */
export async function startTemporalDevServer(opts: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const log = opts.log ?? (() => {});
  const port = opts.port ?? (await freePort(HOST));
  let uiPort = opts.uiPort;
  // Two back-to-back probes can in principle be handed the same port.
  while (uiPort === undefined || (opts.uiPort === undefined && uiPort === port)) uiPort = await freePort(HOST);
  const address = `${HOST}:${port}`;
  const args = ['server', 'start-dev', '--ip', HOST, '--port', String(port)];
  args.push(...(uiPort === false ? ['--headless'] : ['--ui-port', String(uiPort)]));
  if (uiPort !== false && opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  if (opts.dbFile) {
    mkdirSync(dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
    // Write-ahead logging, synced at checkpoints: survives a killed server (only a power
    // loss can take the last commits), and as fast as the in-memory store here (27.5 vs
    // 16.8 leads parked a second with SQLite's default journal, in 3,000-lead scale runs), without
    // holding every history in the server's memory: in memory, its RSS reached 19.5 GB at
    // 77,000 open workflows.
    args.push('--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  }
  args.push('--namespace', opts.namespace);
  for (const [name, kind] of Object.entries(opts.searchAttributes)) args.push('--search-attribute', `${name}=${kind}`);
  args.push('--log-level', 'warn');
  // The worker asks for the activities its workflow task schedules in the same reply
  // (eager activity execution, on by default in the SDK): no trip through matching for a
  // lead's first activities. The dev server leaves it off unless told.
  args.push('--dynamic-config-value', 'system.enableActivityEagerExecution=true');

  const output = openOutput(opts.logFile);
  log(`starting the Temporal dev server on ${address}${opts.dbFile ? ` (data in ${opts.dbFile})` : ' (in memory)'}`);
  const child = spawn(opts.cliPath, args, { stdio: ['ignore', output.fd ?? 'pipe', output.fd ?? 'pipe'] });
  if (output.fd !== undefined) closeSync(output.fd);
  output.attach(child);
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      resolve(`could not run ${opts.cliPath} (${err.code ?? err.message})`),
    );
    child.once('exit', (code, signal) => resolve(`the server exited with ${signal ?? `code ${code}`}`));
  });

  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  const watchdog = spawnWatchdog(child);

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      process.removeListener('exit', killOnExit);
      await terminate(child);
      if (watchdog?.pid) tryKill(watchdog.pid);
    })());

  const giveUp = new AbortController();
  try {
    await Promise.race([
      waitUntilReady({
        address,
        namespace: opts.namespace,
        searchAttributes: opts.searchAttributes,
        timeoutMs: opts.readyTimeoutMs ?? 30_000,
        signal: giveUp.signal,
      }),
      exited.then((how) => Promise.reject(new Error(how))),
    ]);
  } catch (err) {
    giveUp.abort();
    const tail = output.tail();
    await stop();
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `could not start the Temporal dev server on ${address}: ${reason}${tail ? `\n--- last lines of its log ---\n${tail}` : ''}`,
    );
  }
  const uiUrl = uiPort === false ? undefined : `http://${HOST}:${uiPort}`;
  log(`Temporal dev server ready on ${address}${uiUrl ? `, Web UI ${uiUrl}` : ''}`);
  void exited.then((how) => {
    if (!stopped) log(`the Temporal dev server on ${address} stopped on its own: ${how}`);
  });
  return { address, uiUrl, namespace: opts.namespace, stop };
}

async function waitUntilReady(opts: {
  address: string;
  namespace: string;
  searchAttributes: Record<string, SearchAttributeKind>;
  timeoutMs: number;
  signal: AbortSignal;
}): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastProblem = 'no answer yet';
  let connection: Connection | undefined;
  try {
    while (Date.now() < deadline && !opts.signal.aborted) {
      try {
        connection ??= await Connection.connect({ address: opts.address, connectTimeout: 2_000 });
        await connection.workflowService.describeNamespace({ namespace: opts.namespace });
        const { customAttributes } = await connection.operatorService.listSearchAttributes({
          namespace: opts.namespace,
        });
        const problem = searchAttributeProblem({ wanted: opts.searchAttributes, found: customAttributes ?? {} });
        if (!problem) return;
        // A type clash never heals (the server keeps the type it stored): fail now, not at the deadline.
        if (problem.includes('registered as'))
          throw new ReadinessError(`${problem}; pick another name or start from a fresh db file`);
        lastProblem = problem;
      } catch (err) {
        if (err instanceof ReadinessError) throw err;
        lastProblem = err instanceof Error ? err.message : String(err);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await connection?.close().catch(() => {});
  }
  throw new Error(`not ready after ${opts.timeoutMs / 1000} s (${lastProblem})`);
}

class ReadinessError extends Error {}

function searchAttributeProblem(opts: {
  wanted: Record<string, SearchAttributeKind>;
  found: Record<string, unknown>;
}): string | undefined {
  for (const [name, kind] of Object.entries(opts.wanted)) {
    const actual = opts.found[name];
    if (actual === undefined) return `search attribute ${name} not visible yet`;
    const actualKind = typeof actual === 'number' ? kindOf(actual) : normalizeKind(String(actual));
    if (actualKind !== kind)
      return `search attribute ${name} is registered as ${actualKind ?? String(actual)}, not ${kind}`;
  }
  return undefined;
}

function kindOf(value: number): SearchAttributeKind | undefined {
  return (Object.keys(INDEXED_VALUE_TYPE) as SearchAttributeKind[]).find((k) => INDEXED_VALUE_TYPE[k] === value);
}

function normalizeKind(name: string): SearchAttributeKind | undefined {
  const key = name
    .replace(/^INDEXED_VALUE_TYPE_/, '')
    .toLowerCase()
    .replace(/_/g, '');
  return (Object.keys(INDEXED_VALUE_TYPE) as SearchAttributeKind[]).find((k) => k.toLowerCase() === key);
}

/** Where the server's output goes, and how to read its last lines when start fails. */
export function openOutput(logFile: string | undefined): {
  fd?: number;
  attach(child: ChildProcess): void;
  tail(): string;
} {
  if (logFile) {
    mkdirSync(dirname(logFile), { recursive: true });
    const fd = openSync(logFile, 'a');
    // The file may hold earlier runs: only this run's lines explain this failure.
    const startedAt = fstatSync(fd).size;
    return {
      fd,
      attach: () => {},
      tail: () => {
        try {
          return lastLines(readFileSync(logFile).subarray(startedAt).toString('utf8'));
        } catch {
          return '';
        }
      },
    };
  }
  let buffer = '';
  return {
    attach: (child) => {
      const keep = (chunk: Buffer) => (buffer = (buffer + chunk.toString()).slice(-16_000));
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
    },
    tail: () => lastLines(buffer),
  };
}

function lastLines(text: string, count = 20): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

/**
 * A detached shell that SIGTERMs (then SIGKILLs) the server once this process is gone,
 * however it died: 'exit' handlers do not run on SIGKILL or an unhandled signal.
 */
export function spawnWatchdog(child: ChildProcess): ChildProcess | undefined {
  if (!child.pid) return undefined;
  const script =
    'while kill -0 "$1" 2>/dev/null; do kill -0 "$2" 2>/dev/null || exit 0; sleep 1; done; ' +
    'kill -TERM "$2" 2>/dev/null; i=0; while kill -0 "$2" 2>/dev/null && [ $i -lt 10 ]; do sleep 1; i=$((i+1)); done; ' +
    'kill -KILL "$2" 2>/dev/null; exit 0';
  const watchdog = spawn('sh', ['-c', script, 'leadflow-temporal-watchdog', String(process.pid), String(child.pid)], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.on('error', () => {});
  watchdog.unref();
  return watchdog;
}

export async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await gone;
  clearTimeout(timer);
}

function tryKill(pid: number): void {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already gone
  }
}
