import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { APP_ROOT, appIsStale } from './app-freshness';

/**
 * `npm run build:app`: build the business app. `--if-stale` (postinstall): only when
 * app/dist is missing or older than its sources, and only where it can be built: an install
 * before the sources are copied in, or without dev dependencies (`npm ci --omit=dev`, where
 * Vite is absent), skips it with a note instead of failing the install.
 */
const ifStale = process.argv.includes('--if-stale');

if (ifStale && !existsSync(join(APP_ROOT, 'index.html'))) {
  console.log('build:app: no app sources here yet; skipped');
} else if (ifStale && !appIsStale()) {
  console.log('build:app: app/dist is up to date');
} else {
  let buildApp: typeof import('./build-app').buildApp | undefined;
  try {
    ({ buildApp } = await import('./build-app'));
  } catch (err) {
    if (!ifStale) throw err;
    console.log(
      'build:app: Vite is not installed (a production install); skipped: run `npm run build:app` where it is',
    );
  }
  await buildApp?.();
}
