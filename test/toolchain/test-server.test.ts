import { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { ensureTestServer } from '../../scripts/toolchain/temporal';

describe('ensureTestServer', () => {
  it('gives a time-skipping server the TypeScript SDK can start, use and tear down', { timeout: 180_000 }, async () => {
    const path = await ensureTestServer();
    const env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path } },
    });
    try {
      expect(env.supportsTimeSkipping).toBe(true);
      const before = await env.currentTimeMs();
      await env.sleep('1 day');
      expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(86_400_000);
      const handle = await env.client.workflow.start('noSuchType', { taskQueue: 'x', workflowId: 'ts-1' });
      expect((await handle.describe()).status.name).toBe('RUNNING');
    } finally {
      await env.teardown();
    }
  });
});
