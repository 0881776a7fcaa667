import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { historyFromFile } from '../histories/history-file';
import { workflowBundle } from '../support/temporal';

const ROOT = join(import.meta.dirname, '..', 'histories');

/** Every stored history: test/histories/<release>/<name>.json. */
function storedHistories() {
  return readdirSync(ROOT, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((release) =>
      readdirSync(join(ROOT, release.name))
        .filter((f) => f.endsWith('.json'))
        .map((file) => {
          const history = historyFromFile(readFileSync(join(ROOT, release.name, file), 'utf8'));
          const type = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '';
          return { workflowId: `${release.name}/${file}`, type, history };
        }),
    );
}

/**
 * Workflows live for years: a worker running today's code must replay every history a
 * past release wrote (recorded by test/histories/record.ts) without non-determinism.
 */
describe('stored histories replay against the current workflow code', () => {
  const histories = storedHistories();

  it('has histories of every workflow type', () => {
    expect(new Set(histories.map((h) => h.type))).toEqual(
      new Set(['leadWorkflow', 'accountWorkflow', 'privacyRequestWorkflow', 'retentionSweepWorkflow']),
    );
  });

  it('replays every one of them', { timeout: 180_000 }, async () => {
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      replayed += 1;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(histories.length);
  });
});
