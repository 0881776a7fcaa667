import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Connection } from '@temporalio/client';
import { loadConfigOrExit } from '../config/load-config';
import { setupCluster, type SetupReport } from '../temporal.cluster';
import { temporalSettings } from '../temporal.config';

/** How long closed workflows stay visible in the namespace (a new self-hosted namespace only). */
export const DEFAULT_RETENTION_DAYS = 7;

/**
 * `npm run temporal:setup [-- --retention-days N]`: leadflow's namespace and search
 * attributes on the cluster the worker connects to (same TEMPORAL_* variables), so it is
 * safe to run at every deploy.
 */
export async function temporalSetup(opts: {
  settings: ReturnType<typeof temporalSettings>;
  retentionDays?: number;
  log?: (line: string) => void;
}): Promise<SetupReport> {
  const connection = await Connection.connect({ ...opts.settings.connection, connectTimeout: '10s' });
  try {
    return await setupCluster(connection, {
      namespace: opts.settings.namespace,
      retentionDays: opts.retentionDays ?? DEFAULT_RETENTION_DAYS,
      log: opts.log,
    });
  } finally {
    await connection.close();
  }
}

function retentionDaysArg(argv: string[]): number {
  const i = argv.indexOf('--retention-days');
  if (i < 0) return DEFAULT_RETENTION_DAYS;
  const days = Number(argv[i + 1]);
  if (!Number.isInteger(days) || days < 1) {
    console.error('temporal:setup: --retention-days must be a whole number of days, at least 1');
    process.exit(64);
  }
  return days;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const config = loadConfigOrExit();
  const settings = temporalSettings(config, (p) => readFileSync(p));
  const log = (line: string) => console.log(`temporal:setup: ${line}`);
  try {
    const report = await temporalSetup({ settings, retentionDays: retentionDaysArg(process.argv.slice(2)), log });
    log(
      `${settings.address} namespace ${settings.namespace} (${report.namespace}); search attributes added: ${report.added.join(', ') || 'none'}; already present: ${report.existing.join(', ') || 'none'}`,
    );
  } catch (err) {
    console.error(`temporal:setup: ${settings.address}: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
