import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../toolchain/paths';

export const APP_ROOT = join(ROOT, 'app');
const DIST_INDEX = join(APP_ROOT, 'dist', 'index.html');
const SOURCES = ['src', 'index.html', 'vite.config.ts', 'tsconfig.json'];

function newestIn(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestIn(join(path, entry)));
  return newest;
}

/** True when app/dist is missing or older than any of the app's sources. */
export function appIsStale(): boolean {
  if (!existsSync(DIST_INDEX)) return true;
  const built = statSync(DIST_INDEX).mtimeMs;
  return SOURCES.some((source) => newestIn(join(APP_ROOT, source)) > built);
}
