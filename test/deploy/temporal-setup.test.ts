import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ROOT } from '../../scripts/toolchain/paths';
import { checkSearchAttributes, compareSearchAttributes, SearchAttributesMissingError } from '../../temporal.cluster';
import { SEARCH_ATTRIBUTES } from '../../temporal.config';

const run = promisify(execFile);
const NAMES = Object.values(SEARCH_ATTRIBUTES).map((a) => a.name);

/** `npm run temporal:setup` as an operator runs it: a process reading the TEMPORAL_* variables. */
function setup(namespace: string) {
  return run(join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/temporal-setup.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: namespace,
    },
    timeout: 60_000,
  });
}

describe('npm run temporal:setup on a cluster without leadflow', () => {
  // A namespace of its own: the run's default namespace already has the attributes (the dev server registers them).
  const namespace = `leadflow-setup-${randomBytes(4).toString('hex')}`;
  let connection: Connection;

  beforeAll(async () => {
    connection = await Connection.connect({ address: inject('temporalAddress') });
  });
  afterAll(async () => {
    await connection?.close();
  });

  it('registers the namespace and every search attribute, and a second run changes nothing and succeeds', async () => {
    const first = await setup(namespace);
    expect(first.stdout).toContain(`namespace ${namespace} registered`);
    expect(first.stdout).toContain(`search attributes added: ${NAMES.join(', ')}`);

    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    for (const { name } of Object.values(SEARCH_ATTRIBUTES)) expect(customAttributes?.[name]).toBeDefined();
    expect(await compareSearchAttributes(connection, namespace)).toEqual({ missing: [], wrongType: [] });

    const second = await setup(namespace);
    expect(second.stdout).toContain(`namespace ${namespace} (existed); search attributes added: none`);
    expect(second.stdout).toContain(`already present: ${NAMES.join(', ')}`);
  });

  it('lets the worker refuse to start with one line naming what is missing and the fix', async () => {
    const bare = `leadflow-bare-${randomBytes(4).toString('hex')}`;
    await connection.workflowService.registerNamespace({
      namespace: bare,
      workflowExecutionRetentionPeriod: proto.google.protobuf.Duration.fromObject({ seconds: 86_400 }),
    });
    // The worker's own connection type: the check takes either.
    const native = await NativeConnection.connect({ address: inject('temporalAddress') });
    try {
      let error: unknown;
      await expect
        .poll(
          async () => {
            error = await checkSearchAttributes(native, bare).then(
              () => null,
              (err: unknown) => err,
            );
            return (error as Error | null)?.name;
          },
          { timeout: 15_000 },
        )
        .toBe(SearchAttributesMissingError.name);
      const message = (error as Error).message;
      expect(message).not.toContain('\n');
      expect(message).toContain(`namespace ${bare}`);
      expect(message).toContain(`missing ${NAMES.join(', ')}`);
      expect(message).toContain('npm run temporal:setup');

      await setup(bare);
      await expect(checkSearchAttributes(native, bare)).resolves.toBeUndefined();

      const absent = `leadflow-absent-${randomBytes(4).toString('hex')}`;
      await expect(checkSearchAttributes(native, absent)).rejects.toThrow(
        new SearchAttributesMissingError(
          `namespace ${absent} does not exist on this cluster: run \`npm run temporal:setup\` with the worker's TEMPORAL_* settings`,
        ),
      );
    } finally {
      await native.close();
    }
  });
});
