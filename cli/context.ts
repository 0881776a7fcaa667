import { isUuid } from '../domain/ids';
import { usageError } from './errors';
import { apiFrom, type ApiCall } from './http';

/** What a run of the CLI reads and writes: the process's own streams, or a test's buffers. */
export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  stdout(chunk: string): void;
  stderr(chunk: string): void;
}

/** Handed to every command: its output, the API, and where to record an exit code that is not an error. */
export interface CliContext {
  env: CliIo['env'];
  api: ApiCall;
  /** One or more lines on stdout: the result. */
  out(text: string): void;
  /** One or more lines on stderr: progress and notes, so that stdout stays the result. */
  note(text: string): void;
  sleep(ms: number): Promise<void>;
  now(): number;
  /** A finished command whose outcome is a failure without an error (a failed run, a broken chain) sets 1. */
  exitCode: number;
}

export function contextOf(io: CliIo): CliContext {
  return {
    env: io.env,
    api: apiFrom(io.env),
    out: (text) => io.stdout(`${text}\n`),
    note: (text) => io.stderr(`${text}\n`),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: Date.now,
    exitCode: 0,
  };
}

/** Every command answers `--json` with the same data its text shows. */
export function emit(ctx: CliContext, opts: { json?: boolean }, value: unknown, text: () => string): void {
  ctx.out(opts.json ? JSON.stringify(value, null, 2) : text());
}

/** Checked here rather than by the parser so the message names the command and what it needs. */
export function requireUuid(value: string | undefined, message: string): string {
  if (!value || !isUuid(value)) throw usageError(message);
  return value;
}
