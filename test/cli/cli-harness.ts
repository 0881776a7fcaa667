import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { runCli } from '../../cli/program';
import { ROOT } from '../../scripts/toolchain/paths';

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, trimmed: what a user sees in a terminal. */
  output: string;
}

type Env = Record<string, string | undefined>;

/** The whole CLI (the same commander program the binary runs) in this process, with its output captured. */
export async function cliInProcess(argv: string[], env: Env): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const exitCode = await runCli(argv, {
    env,
    stdout: (chunk) => (stdout += chunk),
    stderr: (chunk) => (stderr += chunk),
  });
  return { exitCode, stdout, stderr, output: `${stdout}${stderr}`.trim() };
}

/**
 * The CLI as a user runs it: a child process with a clean environment plus `env`. The default
 * runs cli/leadflow.ts as its shebang line does; `command` runs something else (npx) from the repo.
 */
export function cliProcess(
  args: string[],
  env: Env,
  command: [string, ...string[]] = [process.execPath, '--import', 'tsx', join(ROOT, 'cli', 'leadflow.ts')],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = { ...process.env, LEADFLOW_API_KEY: undefined, LEADFLOW_API_URL: undefined, DATABASE_URL: undefined };
  const [file, ...before] = command;
  return new Promise((resolve) => {
    execFile(
      file,
      [...before, ...args],
      { cwd: ROOT, env: { ...clean, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
