import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection, WorkflowClient } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/toolchain/free-port';
import { ensureTemporalCli } from '../../scripts/toolchain/temporal';
import { startTemporalDevServer, type SearchAttributeKind } from '../../scripts/toolchain/temporal-dev-server';

const SEARCH_ATTRIBUTES: Record<string, SearchAttributeKind> = {
  ToolchainTestKeyword: 'Keyword',
  ToolchainTestWhen: 'Datetime',
  ToolchainTestCount: 'Int',
};
// temporal.api.enums.v1.IndexedValueType
const KEYWORD = 2;
const INT = 3;
const DATETIME = 6;

let cliPath: string;
let scratch: string;

beforeAll(async () => {
  cliPath = await ensureTemporalCli();
  scratch = mkdtempSync(join(tmpdir(), 'leadflow-devserver-'));
}, 180_000);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function accepts(address: string): Promise<boolean> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket = createConnection({ host, port: Number(port) });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function withClient<T>(
  opts: { address: string; namespace: string },
  fn: (c: { connection: Connection; client: WorkflowClient }) => Promise<T>,
): Promise<T> {
  const connection = await Connection.connect({ address: opts.address });
  try {
    return await fn({ connection, client: new WorkflowClient({ connection, namespace: opts.namespace }) });
  } finally {
    await connection.close();
  }
}

describe('freePort', () => {
  it('gives a port that can be bound right away', { timeout: 10_000 }, async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(1023);
    const { createServer } = await import('node:net');
    await new Promise<void>((resolve, reject) => {
      const server = createServer()
        .once('error', reject)
        .listen(port, '127.0.0.1', () => server.close(() => resolve()));
    });
  });
});

describe('startTemporalDevServer', () => {
  it(
    'starts in memory on free ports with the namespace and custom search attributes ready',
    { timeout: 90_000 },
    async () => {
      const server = await startTemporalDevServer({
        cliPath,
        namespace: 'toolchain-test',
        searchAttributes: SEARCH_ATTRIBUTES,
      });
      try {
        expect(server.address).toMatch(/^127\.0\.0\.1:\d+$/);
        expect(server.namespace).toBe('toolchain-test');
        expect(server.uiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const ui = await fetch(server.uiUrl!);
        expect(ui.status).toBe(200);
        await withClient(server, async ({ connection }) => {
          const ns = await connection.workflowService.describeNamespace({ namespace: 'toolchain-test' });
          expect(ns.namespaceInfo?.name).toBe('toolchain-test');
          const { customAttributes } = await connection.operatorService.listSearchAttributes({
            namespace: 'toolchain-test',
          });
          expect(customAttributes).toMatchObject({
            ToolchainTestKeyword: KEYWORD,
            ToolchainTestWhen: DATETIME,
            ToolchainTestCount: INT,
          });
        });
      } finally {
        await server.stop();
      }
      expect(await accepts(server.address)).toBe(false);
    },
  );

  it(
    'keeps workflows in a db file across a restart, re-registering the same search attributes',
    { timeout: 120_000 },
    async () => {
      const dbFile = join(scratch, 'restart', 'temporal.db');
      const logFile = join(scratch, 'restart', 'temporal.log');
      const common = {
        cliPath,
        dbFile,
        logFile,
        uiPort: false as const,
        namespace: 'durable',
        searchAttributes: SEARCH_ATTRIBUTES,
      };

      const first = await startTemporalDevServer(common);
      expect(first.uiUrl).toBeUndefined();
      try {
        await withClient(first, async ({ client }) => {
          // No worker serves this type, so the workflow just stays Running.
          await client.start('noSuchType', { taskQueue: 'x', workflowId: 'w1' });
        });
      } finally {
        await first.stop();
      }

      const second = await startTemporalDevServer(common);
      try {
        await withClient(second, async ({ client, connection }) => {
          const described = await client.getHandle('w1').describe();
          expect(described.type).toBe('noSuchType');
          expect(described.status.name).toBe('RUNNING');
          const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'durable' });
          expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(Object.keys(SEARCH_ATTRIBUTES)));
        });
      } finally {
        await second.stop();
      }
    },
  );

  it('refuses a db file whose search attribute has another type, naming both', { timeout: 90_000 }, async () => {
    const dbFile = join(scratch, 'clash', 'temporal.db');
    const first = await startTemporalDevServer({
      cliPath,
      dbFile,
      uiPort: false,
      namespace: 'default',
      searchAttributes: { ToolchainClash: 'Keyword' },
    });
    await first.stop();
    await expect(
      startTemporalDevServer({
        cliPath,
        dbFile,
        uiPort: false,
        namespace: 'default',
        searchAttributes: { ToolchainClash: 'Int' },
      }),
    ).rejects.toThrow(/search attribute ToolchainClash is registered as Keyword, not Int/);
  });

  it('fails clearly when the CLI cannot run', { timeout: 30_000 }, async () => {
    await expect(
      startTemporalDevServer({
        cliPath: join(scratch, 'no-such-temporal'),
        namespace: 'default',
        searchAttributes: {},
      }),
    ).rejects.toThrow(
      /could not start the Temporal dev server on 127\.0\.0\.1:\d+: could not run .*no-such-temporal \(ENOENT\)/,
    );
  });
});
