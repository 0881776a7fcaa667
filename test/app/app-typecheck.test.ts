import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/toolchain/paths';

const run = promisify(execFile);

/** The app type-checks against the checked-in client: a renamed field or route breaks here, not in a browser. */
describe('the app’s sources', () => {
  it('type-check with tsc -p app', async () => {
    const result = await run(
      join(ROOT, 'node_modules', '.bin', 'tsc'),
      ['-p', 'app', '--noEmit', '--pretty', 'false'],
      {
        cwd: ROOT,
        maxBuffer: 8 * 1024 * 1024,
      },
    ).then(
      () => ({ code: 0, output: '' }),
      (err: { code?: number; stdout?: string; stderr?: string }) => ({
        code: err.code ?? 1,
        output: `${err.stdout ?? ''}${err.stderr ?? ''}`,
      }),
    );
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  }, 180_000);
});
