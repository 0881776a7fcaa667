import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

/** Debian's build: the only browser this network can install (vendor downloads are blocked). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const INSTALL_HINT = "install Debian's chromium package (as root: apt-get install -y --no-install-recommends chromium)";

export class ChromiumMissingError extends Error {
  override name = 'ChromiumMissingError';
}

type Log = (line: string) => void;

// Concurrent callers (two test files starting together) share one install: two apt-gets fight over the dpkg lock.
let pending: Promise<string> | null = null;
let updated = false;

/** The path of a headless-capable Chromium, installed from apt when missing and allowed. */
export function ensureChromium(opts: { log?: Log } = {}): Promise<string> {
  if (isExecutable(CHROMIUM_PATH)) return Promise.resolve(CHROMIUM_PATH);
  pending ??= install(opts.log ?? (() => {})).finally(() => {
    pending = null;
  });
  return pending;
}

async function install(log: Log): Promise<string> {
  const apt = ['/usr/bin/apt-get', '/bin/apt-get'].find(isExecutable);
  if (process.getuid?.() !== 0 || !apt) {
    throw new ChromiumMissingError(`Chromium not found at ${CHROMIUM_PATH}: ${INSTALL_HINT}`);
  }
  // Another apt/dpkg (or a parallel test worker) may hold the lock: wait for it rather than fail.
  const lock = ['-o', 'DPkg::Lock::Timeout=300'];
  if (!updated) {
    log('apt-get update');
    await run({ cmd: apt, args: [...lock, 'update'], label: 'apt-get update', log });
    updated = true;
  }
  log('apt-get install chromium');
  await run({
    cmd: apt,
    args: [...lock, 'install', '-y', '--no-install-recommends', 'chromium'],
    label: 'apt-get install chromium',
    log,
  });
  if (!isExecutable(CHROMIUM_PATH))
    throw new ChromiumMissingError(`apt-get installed chromium but ${CHROMIUM_PATH} is missing: ${INSTALL_HINT}`);
  return CHROMIUM_PATH;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function run(opts: { cmd: string; args: string[]; label: string; log: Log }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(opts.cmd, opts.args, {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        opts.log(line);
        tail.push(line.trim());
        if (tail.length > 5) tail.shift();
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (err) =>
      reject(new ChromiumMissingError(`${opts.label} could not start (${err.message}): ${INSTALL_HINT}`)),
    );
    child.once('close', (code) => {
      if (code === 0) return resolve();
      const last = tail.at(-1) ?? 'no output';
      reject(new ChromiumMissingError(`${opts.label} failed (exit ${code}: ${last}): ${INSTALL_HINT}`));
    });
  });
}
