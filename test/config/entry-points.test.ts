import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Bad configuration stops each entry point at once: one line per problem, no stack trace. */
describe.each(['api/main.ts', 'worker/main.ts', 'scripts/start.ts'])('%s with bad configuration', (entry) => {
  it('exits with EX_CONFIG and names each variable', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', entry], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: 'eighty',
        TEMPORAL_ADDRESS: 'no port',
        TWILIO_AUTH_TOKEN: 'sekrit-value-991',
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(78);
    expect(run.stderr.trim().split('\n')).toEqual([
      'Invalid configuration:',
      '  - PORT must be a number',
      '  - TEMPORAL_ADDRESS must be host:port, e.g. localhost:7233',
      '  - TWILIO_ACCOUNT_SID is required: Twilio needs both the account SID and the auth token',
    ]);
    expect(run.stderr).not.toMatch(/\bat .+:\d+:\d+/);
    expect(run.stderr).not.toContain('sekrit-value-991');
  });
});
