import { fileURLToPath } from 'node:url';

/** What a workflow bundle is built from, at worker start or ahead of time (`npm run build:workflows`). */
export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** Bundled with the workflows (a prebuilt bundle cannot add them later): tracing inside the sandbox. */
export const WORKFLOW_INTERCEPTOR_MODULES = [fileURLToPath(new URL('../workflows/interceptors.ts', import.meta.url))];
