import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalPostgres } from '../../scripts/toolchain/postgres';
import { ensureTemporalCli, ensureTestServer } from '../../scripts/toolchain/temporal';
import { startTemporalDevServer } from '../../scripts/toolchain/temporal-dev-server';
import { LOCAL_DEV_SERVER, SEARCH_ATTRIBUTES } from '../../temporal.config';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser URL of the run's Postgres; each test file makes its own database in it. */
    postgresAdminUrl: string;
    temporalAddress: string;
    temporalNamespace: string;
    testServerPath: string;
    temporalCliPath: string;
  }
}

/**
 * One real Postgres and one real Temporal dev server for the whole run, both on free
 * ports and throwaway storage. A DATABASE_URL in the environment is used instead of a
 * local Postgres (tests then create their databases in it).
 */
export default async function setup(project: TestProject) {
  const scratch = mkdtempSync(join(tmpdir(), 'leadflow-test-'));
  const [cliPath, testServerPath] = [await ensureTemporalCli(), await ensureTestServer()];
  const postgres = process.env.DATABASE_URL
    ? { adminUrl: process.env.DATABASE_URL, stop: async () => {} }
    : await startLocalPostgres({ dataDir: join(scratch, 'postgres') });
  const temporal = await startTemporalDevServer({
    cliPath,
    uiPort: false,
    namespace: LOCAL_DEV_SERVER.namespace,
    searchAttributes: Object.fromEntries(Object.values(SEARCH_ATTRIBUTES).map((a) => [a.name, a.type])),
    logFile: join(scratch, 'temporal.log'),
  });
  project.provide('postgresAdminUrl', postgres.adminUrl);
  project.provide('temporalAddress', temporal.address);
  project.provide('temporalNamespace', temporal.namespace);
  project.provide('testServerPath', testServerPath);
  project.provide('temporalCliPath', cliPath);
  return async () => {
    await Promise.allSettled([temporal.stop(), postgres.stop()]);
    rmSync(scratch, { recursive: true, force: true });
  };
}
