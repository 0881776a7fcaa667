import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientSource, SCHEMA_PATH } from '../../scripts/app/client-source';
import { ROOT } from '../../scripts/toolchain/paths';
import { startStack, type Stack } from '../support/stack';

const ARTIFACTS = join(ROOT, 'test-artifacts');

/**
 * The app's typed client is checked in: regenerated here from the running API's
 * /openapi.json, a contract change the app has not caught up with fails this test.
 */
describe('the app’s typed client', () => {
  let stack: Stack;
  let server: Server;

  beforeAll(async () => {
    stack = await startStack();
    server = stack.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await stack?.close();
  });

  it('matches what openapi-typescript makes of the live /openapi.json (npm run app:client regenerates it)', async () => {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/openapi.json`);
    expect(res.status).toBe(200);
    const expected = await clientSource((await res.json()) as Record<string, unknown>);
    const checkedIn = readFileSync(SCHEMA_PATH, 'utf8');
    // For `diff app/src/api/schema.d.ts test-artifacts/app-schema.expected.d.ts` when this fails.
    if (checkedIn !== expected) {
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, 'app-schema.expected.d.ts'), expected);
    }
    expect(checkedIn === expected, 'app/src/api/schema.d.ts is stale: run `npm run app:client`').toBe(true);
    expect(checkedIn).toContain("'/v1/leads/{id}'");
  });
});
