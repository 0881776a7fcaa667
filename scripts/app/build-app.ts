import { build } from 'vite';
import { APP_ROOT } from './app-freshness';

/**
 * The business app into app/dist (served by the API at /app). Always a production build:
 * Vite follows NODE_ENV, and a build started from the tests (NODE_ENV=test) would otherwise
 * ship React's development bundle, about 60 KB more, to whoever serves that dist next.
 */
export async function buildApp(opts: { quiet?: boolean } = {}): Promise<void> {
  const before = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root: APP_ROOT,
      configFile: `${APP_ROOT}/vite.config.ts`,
      mode: 'production',
      logLevel: opts.quiet ? 'warn' : 'info',
    });
  } finally {
    if (before === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = before;
  }
}
