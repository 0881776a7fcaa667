import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './toolchain/paths';

/**
 * `npm run audit:deps`: `npm audit` of what a production install holds (`--omit=dev`), failing
 * on any high or critical advisory not listed, with its reason, in audit-exceptions.json.
 * npm's advisory endpoint is a POST to the registry; where the network refuses it (these
 * machines do), the script says so on one line and exits 0 unless AUDIT_DEPS_STRICT=1.
 */
export const EXCEPTIONS_FILE = join(ROOT, 'audit-exceptions.json');
const FAILING = new Set(['high', 'critical']);

export interface AuditException {
  /** The advisory's GHSA id, e.g. GHSA-xxxx-xxxx-xxxx. */
  advisory: string;
  package: string;
  reason: string;
  /** A date (YYYY-MM-DD) after which the exception counts as expired and fails the audit. */
  reviewBy: string;
}

interface Advisory {
  source?: number;
  name: string;
  title: string;
  url: string;
  severity: string;
}
interface NpmAuditReport {
  vulnerabilities?: Record<string, { severity: string; via: Array<Advisory | string> }>;
}

export interface AuditVerdict {
  failing: Array<{ advisory: string; package: string; severity: string; title: string }>;
  excepted: string[];
  expired: string[];
  /** Listed exceptions that no longer match anything: remove them. */
  stale: string[];
}

const advisoryId = (a: Advisory) => /GHSA-[\w-]+/.exec(a.url)?.[0] ?? `npm-${a.source ?? a.name}`;

export function evaluateAudit(report: NpmAuditReport, exceptions: AuditException[], today: string): AuditVerdict {
  const listed = new Map(exceptions.map((e) => [e.advisory, e]));
  const seen = new Map<string, Advisory>();
  for (const vulnerability of Object.values(report.vulnerabilities ?? {})) {
    for (const via of vulnerability.via) {
      // A string names another vulnerable package: its own advisories are listed under it.
      if (typeof via !== 'string' && FAILING.has(via.severity)) seen.set(advisoryId(via), via);
    }
  }
  const verdict: AuditVerdict = { failing: [], excepted: [], expired: [], stale: [] };
  for (const [id, advisory] of seen) {
    const exception = listed.get(id);
    if (exception && exception.reviewBy >= today) verdict.excepted.push(id);
    else {
      if (exception) verdict.expired.push(id);
      verdict.failing.push({
        advisory: id,
        package: advisory.name,
        severity: advisory.severity,
        title: advisory.title,
      });
    }
  }
  verdict.stale = exceptions.map((e) => e.advisory).filter((id) => !seen.has(id));
  return verdict;
}

export function readExceptions(path = EXCEPTIONS_FILE): AuditException[] {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { exceptions?: AuditException[] };
  const exceptions = parsed.exceptions ?? [];
  for (const e of exceptions) {
    if (!/^GHSA-[\w-]+$|^npm-\S+$/.test(e.advisory) || !e.reason?.trim() || !/^\d{4}-\d{2}-\d{2}$/.test(e.reviewBy))
      throw new Error(`${path}: each exception needs advisory (GHSA-…), package, reason and reviewBy (YYYY-MM-DD)`);
  }
  return exceptions;
}

function main(): number {
  const log = (line: string) => console.log(`audit:deps: ${line}`);
  const exceptions = readExceptions();
  const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd: ROOT, encoding: 'utf8', env: process.env });
  let report: NpmAuditReport & { error?: { summary?: string }; message?: string; statusCode?: number };
  try {
    report = JSON.parse(run.stdout || '{}') as typeof report;
  } catch {
    report = {};
  }
  if (!report.vulnerabilities) {
    const why =
      report.message ?? report.error?.summary ?? (run.stderr.trim().split('\n').at(-1) || `exit ${run.status}`);
    const line = `npm's advisory endpoint cannot be reached from here (${why}): no audit was run`;
    if (process.env.AUDIT_DEPS_STRICT === '1') {
      console.error(`audit:deps: ${line}`);
      return 1;
    }
    log(`${line}; run it where the registry's audit endpoint answers, or set AUDIT_DEPS_STRICT=1 to fail here`);
    return 0;
  }
  const verdict = evaluateAudit(report, exceptions, new Date().toISOString().slice(0, 10));
  for (const id of verdict.excepted) log(`excepted ${id} (${EXCEPTIONS_FILE.slice(ROOT.length + 1)})`);
  for (const id of verdict.stale) log(`exception ${id} no longer matches any advisory: remove it`);
  for (const f of verdict.failing)
    log(
      `${f.severity} ${f.advisory} in ${f.package}: ${f.title}${verdict.expired.includes(f.advisory) ? ' (exception expired)' : ''}`,
    );
  log(
    verdict.failing.length
      ? `${verdict.failing.length} high or critical advisories in production dependencies`
      : 'no high or critical advisories in production dependencies',
  );
  return verdict.failing.length ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exit(main());
