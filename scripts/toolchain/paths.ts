import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file lives in scripts/toolchain/. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Downloaded tools (git-ignored). Overridable so tests and CI can point at a scratch or shared cache. */
export const TOOLS_DIR = process.env.LEADFLOW_TOOLS_DIR
  ? resolve(process.env.LEADFLOW_TOOLS_DIR)
  : resolve(ROOT, '.tools');

/** Local state of `npm start` (git-ignored): Postgres data, the Temporal db file, logs. */
export const DATA_DIR = resolve(ROOT, '.data');
