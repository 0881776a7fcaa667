import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowSpanSinks } from '../../tracing/temporal';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../../worker/workflow-paths';
import { historyFromFile } from '../histories/history-file';

const HISTORIES = join(import.meta.dirname, '..', 'histories');

/**
 * Workers bundle the tracing interceptors (workflows/interceptors.ts); the stored
 * histories were recorded without them. The interceptors add headers and spans only, and
 * the SDK's flags keep their yield points off for histories of this SDK version, so every
 * stored history must replay with them, traced or not.
 */
describe('stored histories replay with the tracing interceptors bundled', () => {
  it('replays every one of them', { timeout: 240_000 }, async () => {
    const histories = readdirSync(HISTORIES, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((release) =>
        readdirSync(join(HISTORIES, release.name))
          .filter((f) => f.endsWith('.json'))
          .map((file) => ({
            workflowId: `${release.name}/${file}`,
            history: historyFromFile(readFileSync(join(HISTORIES, release.name, file), 'utf8')),
          })),
      );
    expect(histories.length).toBeGreaterThan(0);
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
    });
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories(
      { workflowBundle, sinks: workflowSpanSinks(null) },
      histories,
    )) {
      replayed += 1;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(histories.length);
  });
});
