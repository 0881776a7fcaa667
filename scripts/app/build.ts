import { appIsStale } from './app-freshness';
import { buildApp } from './build-app';

/**
 * `npm run build:app`: build the business app. `--if-stale` (postinstall): only when
 * app/dist is missing or older than its sources.
 */
if (process.argv.includes('--if-stale') && !appIsStale()) {
  console.log('build:app: app/dist is up to date');
} else {
  await buildApp();
}
