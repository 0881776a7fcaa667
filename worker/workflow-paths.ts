import { fileURLToPath } from 'node:url';

/** What a workflow bundle is built from, at worker start or ahead of time (`npm run build:workflows`). */
export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** Bundled with the workflows (a prebuilt bundle cannot add them later): tracing inside the sandbox. */
export const WORKFLOW_INTERCEPTOR_MODULES = [fileURLToPath(new URL('../workflows/interceptors.ts', import.meta.url))];

/**
 * Loaded once into the sandbox and shared by every workflow instead of once per workflow.
 * Only modules without workflow state qualify: the quiet-hours check keeps one date formatter
 * per time zone and nothing else. A bundle built without this list still works, slower.
 */
export const WORKFLOW_PRELOAD_MODULES = [fileURLToPath(new URL('../domain/quiet-hours.ts', import.meta.url))];

/** The options every bundle of the workflows is built with. */
export const WORKFLOW_BUNDLE_OPTIONS = {
  workflowsPath: WORKFLOWS_PATH,
  workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
  preloadModules: WORKFLOW_PRELOAD_MODULES,
};
