import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_OPTIONS } from '../worker/workflow-paths';
import { ROOT } from './toolchain/paths';

/** Where the Docker image keeps the bundle; the worker loads it from WORKFLOW_BUNDLE_PATH. */
export const DEFAULT_BUNDLE_PATH = resolve(ROOT, 'dist', 'workflow-bundle.js');

/**
 * The workflow code bundled once at build time (`npm run build:workflows`), so a worker
 * starts without webpack and every replica runs byte-identical workflow code. The worker
 * loads it with `workflowBundle: { codePath }`.
 */
export async function buildWorkflowBundle(opts: {
  outFile?: string;
  /**
   * Workflow interceptor modules must be inside the bundle: a prebuilt bundle cannot add them
   * later. Default: the worker's own (tracing), as a bundle built at worker start has them.
   */
  workflowInterceptorModules?: string[];
  quiet?: boolean;
}): Promise<{ path: string; bytes: number }> {
  const path = resolve(opts.outFile ?? DEFAULT_BUNDLE_PATH);
  const noop = () => {};
  const { code } = await bundleWorkflowCode({
    ...WORKFLOW_BUNDLE_OPTIONS,
    workflowInterceptorModules: opts.workflowInterceptorModules ?? WORKFLOW_BUNDLE_OPTIONS.workflowInterceptorModules,
    ...(opts.quiet
      ? { logger: { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop } }
      : {}),
  });
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, code);
  return { path, bytes: Buffer.byteLength(code) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = performance.now();
  const { path, bytes } = await buildWorkflowBundle({ outFile: process.argv[2], quiet: true });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`build:workflows: ${path} (${(bytes / 1024).toFixed(0)} KiB) in ${seconds} s`);
}
