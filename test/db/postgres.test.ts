import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDatabase,
  dropDatabase,
  LocalPostgresError,
  startLocalPostgres,
  type LocalPostgres,
} from '../../scripts/toolchain/postgres';

const scratch = mkdtempSync(join(tmpdir(), 'leadflow-pgtest-'));
const dataDir = join(scratch, 'cluster');
let server: LocalPostgres;
const logs: string[] = [];

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  server = await startLocalPostgres({ dataDir, log: (l) => logs.push(l) });
});

afterAll(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('startLocalPostgres', () => {
  it('creates a cluster with a leadflow database, a password-protected superuser and an admin URL', async () => {
    expect(logs.some((l) => l.startsWith('initialising a PostgreSQL cluster'))).toBe(true);
    expect(server.url).toMatch(new RegExp(`^postgresql://postgres:[^@]+@127\\.0\\.0\\.1:${server.port}/leadflow$`));
    const [row] = await query<{ db: string; su: boolean }>(
      server.url,
      'SELECT current_database() AS db, usesuper AS su FROM pg_user WHERE usename = current_user',
    );
    expect(row).toEqual({ db: 'leadflow', su: true });
    const [admin] = await query<{ db: string }>(server.adminUrl, 'SELECT current_database() AS db');
    expect(admin?.db).toBe('postgres');
    const wrong = new URL(server.url);
    wrong.password = 'not-the-password';
    await expect(query(wrong.toString(), 'SELECT 1')).rejects.toThrow(/password authentication failed/);
  });

  it('reuses the cluster on the next start: same data, no new initdb', async () => {
    await query(server.url, 'CREATE TABLE kept (v text); INSERT INTO kept VALUES ($$still here$$)');
    await server.stop();
    logs.length = 0;
    server = await startLocalPostgres({ dataDir, log: (l) => logs.push(l) });
    expect(logs.some((l) => l.startsWith('initialising'))).toBe(false);
    expect(await query(server.url, 'SELECT v FROM kept')).toEqual([{ v: 'still here' }]);
  });

  it('creates and drops databases, even with clients still connected', async () => {
    await createDatabase(server.adminUrl, 't_fresh');
    await createDatabase(server.adminUrl, 't_fresh'); // idempotent
    const url = new URL(server.adminUrl);
    url.pathname = '/t_fresh';
    const lingering = new pg.Client({ connectionString: url.toString() });
    lingering.on('error', () => {});
    await lingering.connect();
    await dropDatabase(server.adminUrl, 't_fresh');
    expect(await query(server.adminUrl, `SELECT 1 FROM pg_database WHERE datname = 't_fresh'`)).toEqual([]);
    await lingering.end().catch(() => {});
  });

  it('reports a port in use in one line', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const attempt = startLocalPostgres({ dataDir: join(scratch, 'second'), port });
      await expect(attempt).rejects.toBeInstanceOf(LocalPostgresError);
      await expect(attempt).rejects.toThrow(`PostgreSQL could not start: port ${port} on 127.0.0.1 is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('refuses a directory that is neither empty nor a cluster, and a cluster already running', async () => {
    const junk = join(scratch, 'junk');
    mkdirSync(junk);
    writeFileSync(join(junk, 'notes.txt'), 'hello');
    await expect(startLocalPostgres({ dataDir: junk })).rejects.toThrow(
      /^PostgreSQL could not start: .*junk is not empty and holds no PostgreSQL cluster/,
    );
    const twice = startLocalPostgres({ dataDir });
    await expect(twice).rejects.toThrow(/lock file "postmaster\.pid" already exists/);
    await twice.catch((err: Error) => expect(err.message).not.toContain('\n'));
  });

  it('does not outlive a parent that is killed with SIGKILL', async () => {
    const code = `
      const { startLocalPostgres } = await import(${JSON.stringify(new URL('../../scripts/toolchain/postgres.ts', import.meta.url).pathname)});
      const pg = await startLocalPostgres({ dataDir: ${JSON.stringify(join(scratch, 'orphan'))} });
      console.log(JSON.stringify({ port: pg.port }));
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      parent.stdout.on('data', (c: Buffer) => resolve(JSON.parse(c.toString()).port));
      parent.once('exit', () => reject(new Error('parent exited early')));
    });
    expect(await accepts(port)).toBe(true);
    parent.kill('SIGKILL');
    const deadline = Date.now() + 15_000;
    while ((await accepts(port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await accepts(port)).toBe(false);
  });
});

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
