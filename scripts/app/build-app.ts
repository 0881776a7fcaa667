import { build } from 'vite';
import { APP_ROOT } from './app-freshness';

/** The business app into app/dist (served by the API at /app). */
export async function buildApp(opts: { quiet?: boolean } = {}): Promise<void> {
  await build({ root: APP_ROOT, configFile: `${APP_ROOT}/vite.config.ts`, logLevel: opts.quiet ? 'warn' : 'info' });
}
