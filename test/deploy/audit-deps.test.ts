import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { evaluateAudit, readExceptions, type AuditException } from '../../scripts/audit-deps';
import { ROOT } from '../../scripts/toolchain/paths';

const run = promisify(execFile);

/** The shape `npm audit --json` prints (auditReportVersion 2), trimmed to what the script reads. */
const report = {
  vulnerabilities: {
    'path-to-regexp': {
      severity: 'high',
      via: [
        {
          source: 1,
          name: 'path-to-regexp',
          title: 'ReDoS in path-to-regexp',
          url: 'https://github.com/advisories/GHSA-aaaa-bbbb-cccc',
          severity: 'high',
        },
      ],
    },
    express: { severity: 'high', via: ['path-to-regexp'] },
    semver: {
      severity: 'moderate',
      via: [
        {
          source: 2,
          name: 'semver',
          title: 'ReDoS in semver',
          url: 'https://github.com/advisories/GHSA-dddd-eeee-ffff',
          severity: 'moderate',
        },
      ],
    },
    pg: {
      severity: 'critical',
      via: [
        {
          source: 3,
          name: 'pg',
          title: 'SQL injection',
          url: 'https://github.com/advisories/GHSA-gggg-hhhh-iiii',
          severity: 'critical',
        },
      ],
    },
  },
};
const exception = (advisory: string, reviewBy: string): AuditException => ({
  advisory,
  package: 'path-to-regexp',
  reason: 'only our own fixed route patterns reach it',
  reviewBy,
});

describe('npm run audit:deps', () => {
  it('fails on high and critical advisories, not moderate ones, and names each', () => {
    const verdict = evaluateAudit(report, [], '2026-12-03');
    expect(verdict.failing.map((f) => f.advisory).sort()).toEqual(['GHSA-aaaa-bbbb-cccc', 'GHSA-gggg-hhhh-iiii']);
    expect(verdict.failing.find((f) => f.package === 'pg')).toMatchObject({ severity: 'critical' });
  });

  it('accepts a listed exception until its review date, then fails it again, and names stale ones', () => {
    const listed = [exception('GHSA-aaaa-bbbb-cccc', '2027-03-01'), exception('GHSA-zzzz-zzzz-zzzz', '2027-03-01')];
    const before = evaluateAudit(report, listed, '2026-12-03');
    expect(before.excepted).toEqual(['GHSA-aaaa-bbbb-cccc']);
    expect(before.failing.map((f) => f.advisory)).toEqual(['GHSA-gggg-hhhh-iiii']);
    expect(before.stale).toEqual(['GHSA-zzzz-zzzz-zzzz']);
    const after = evaluateAudit(report, listed, '2027-03-02');
    expect(after.expired).toEqual(['GHSA-aaaa-bbbb-cccc']);
    expect(after.failing).toHaveLength(2);
  });

  it('reads the repository exception list, each entry with its reason and review date', () => {
    expect(Array.isArray(readExceptions())).toBe(true);
  });

  it('says on one line that no audit ran when the advisory endpoint cannot be reached, and fails then only when strict', async () => {
    const env = {
      ...process.env,
      npm_config_registry: 'http://127.0.0.1:9/',
      npm_config_fetch_retries: '0',
      npm_config_fetch_timeout: '3000',
    };
    const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
    const lenient = await run(tsx, ['scripts/audit-deps.ts'], { cwd: ROOT, env, timeout: 60_000 });
    expect(lenient.stdout).toMatch(
      /^audit:deps: npm's advisory endpoint cannot be reached from here \(.+\): no audit was run/m,
    );
    const strict = await run(tsx, ['scripts/audit-deps.ts'], {
      cwd: ROOT,
      env: { ...env, AUDIT_DEPS_STRICT: '1' },
      timeout: 60_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('no audit was run');
  });
});
