import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });

/** A replica being replaced (a deploy, a scale-down) must stop even while a client keeps it busy. */
describe('api/main.ts on SIGTERM', () => {
  it('closes kept-alive connections and exits while a client keeps sending requests', async () => {
    const port = await freePort();
    const api = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'test',
        PORT: String(port),
        // Never reached: /healthz answers without the database or Temporal.
        DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none',
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    api.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    api.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => api.once('exit', r));
    let busy = true;
    let answered = 0;
    try {
      await expect.poll(() => out, { timeout: 30_000 }).toContain('leadflow API listening');
      // A client that never lets its keep-alive connection go idle.
      const client = (async () => {
        while (busy) {
          const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
          if (!res) break;
          await res.arrayBuffer();
          answered++;
        }
      })();
      await new Promise((r) => setTimeout(r, 300));
      expect(answered).toBeGreaterThan(0);
      api.kill('SIGTERM');
      // Before the fix the busy connection held the process open for minutes (past this test's timeout).
      expect(await exited).toBe(0);
      busy = false;
      await client;
    } finally {
      busy = false;
      if (api.exitCode === null) api.kill('SIGKILL');
    }
  });
});
