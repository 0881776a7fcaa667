import { InvalidArgumentError, type Command } from 'commander';
import { SWEEP_CATEGORIES, type CategoryCounts } from '../workflows/retention/definitions';
import { emit, requireUuid, type CliContext } from './context';
import { CliError, usageError } from './errors';

interface RunView {
  id: string;
  status: 'running' | 'completed' | 'failed';
  dryRun: boolean;
  triggeredBy: string;
  startedAt: string;
  finishedAt: string | null;
  report: {
    asOf: string;
    totals: Partial<Record<string, CategoryCounts>>;
    samples?: Partial<Record<string, string[]>>;
    batches: number;
    error?: string;
  };
}

interface RunOptions {
  dryRun?: boolean;
  wait?: boolean;
  timeout?: number;
  categories?: string[];
  json?: boolean;
}

/** Progress while waiting: a line when the run moves, and one at least this often while it does not. */
const HEARTBEAT_MS = 10_000;
const POLL_MS = 1_000;

function categoriesArg(value: string): string[] {
  const list = value.split(',').map((c) => c.trim());
  const unknown = list.find((c) => !(SWEEP_CATEGORIES as readonly string[]).includes(c));
  if (unknown !== undefined)
    throw new InvalidArgumentError(`unknown category "${unknown}" (one of ${SWEEP_CATEGORIES.join(', ')})`);
  return list;
}

function secondsArg(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError('must be a number of seconds above 0');
  return seconds;
}

const processed = (run: RunView) =>
  Object.values(run.report.totals).reduce((sum, c) => sum + (run.dryRun ? c!.wouldDelete : c!.deleted), 0);

function describeRun(run: RunView): string {
  const lines = [
    `retention run ${run.id}: ${run.status}${run.dryRun ? ' (dry run)' : ''}, started ${run.startedAt}${run.finishedAt ? `, finished ${run.finishedAt}` : ''}`,
    `  expired before: per category, ${run.report.asOf} minus its retention period`,
  ];
  const label = run.dryRun ? 'would delete' : 'deleted';
  for (const category of SWEEP_CATEGORIES) {
    const c = run.report.totals[category];
    if (!c) continue;
    const extra = [
      c.leadTexts ? `${c.leadTexts} lead texts` : '',
      c.providerDeleted ? `${c.providerDeleted} carrier copies` : '',
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(
      `  ${category.padEnd(18)} ${label} ${run.dryRun ? c.wouldDelete : c.deleted}, kept by legal hold ${c.keptByHold}${extra ? ` (${extra})` : ''}`,
    );
  }
  if (Object.keys(run.report.totals).length === 0) lines.push('  nothing expired');
  if (run.report.error) lines.push(`  error: ${run.report.error}`);
  return lines.join('\n');
}

/** Polls until the run finishes or the timeout passes; progress goes to stderr so `--json` stdout stays one document. */
async function waitFor(ctx: CliContext, id: string, timeoutSeconds: number | undefined): Promise<RunView> {
  const started = ctx.now();
  const deadline = timeoutSeconds === undefined ? Infinity : started + timeoutSeconds * 1000;
  let shown = '';
  let shownAt = -Infinity;
  for (;;) {
    const run = await ctx.api<RunView>('GET', `/v1/compliance/retention-runs/${id}`);
    if (run.status !== 'running') return run;
    const now = ctx.now();
    const progress = `${run.report.batches} batches, ${processed(run)} ${run.dryRun ? 'would be deleted' : 'deleted'} so far`;
    if (progress !== shown || now - shownAt >= HEARTBEAT_MS) {
      ctx.note(`retention run ${id}: running, ${progress} (${Math.round((now - started) / 1000)} s)`);
      [shown, shownAt] = [progress, now];
    }
    if (now >= deadline)
      throw new CliError(
        `retention run ${id} is still running after ${timeoutSeconds} s; it goes on: leadflow retention show ${id}`,
      );
    await ctx.sleep(Math.min(POLL_MS, deadline - now));
  }
}

export function addRetentionCommands(program: Command, ctx: CliContext): void {
  const retention = program.command('retention').description('Retention sweeps of your business and their reports');

  retention
    .command('run')
    .summary('Start a retention sweep of your business (--dry-run counts what would go and deletes nothing)')
    .description(
      'Start a retention sweep of your business: what has expired under the retention periods is deleted in bounded ' +
        'batches, each with a deletion receipt; legal holds keep their rows and are counted. A dry run counts what would ' +
        'go and deletes nothing. Without --wait it prints the run id and returns at once.',
    )
    .option('--dry-run', 'count what would be deleted; delete nothing')
    .option('--wait', 'wait for the run to finish, showing progress on stderr, then print its report')
    .option('--timeout <seconds>', 'with --wait: give up waiting after this long (exit 1; the run goes on)', secondsArg)
    .option('--categories <list>', `comma-separated, from ${SWEEP_CATEGORIES.join(', ')} (default: all)`, categoriesArg)
    .action(async (opts: RunOptions) => {
      if (opts.timeout !== undefined && !opts.wait) throw usageError('--timeout needs --wait');
      const started = await ctx.api<{ id: string; status: string; dryRun: boolean }>(
        'POST',
        '/v1/compliance/retention-runs',
        { dryRun: Boolean(opts.dryRun), ...(opts.categories ? { categories: opts.categories } : {}) },
      );
      if (!opts.wait)
        return emit(
          ctx,
          opts,
          started,
          () =>
            `retention run ${started.id} started${started.dryRun ? ' (dry run)' : ''}; see it with: leadflow retention show ${started.id}`,
        );
      const run = await waitFor(ctx, started.id, opts.timeout);
      emit(ctx, opts, run, () => describeRun(run));
      if (run.status !== 'completed') ctx.exitCode = 1;
    });

  retention
    .command('show')
    .argument('<runId>', 'the id `retention run` printed')
    .summary('A retention run and its report: deleted (or would delete) and kept by legal hold, per category')
    .action(async (runId: string, opts: { json?: boolean }) => {
      const id = requireUuid(runId, 'retention show needs a run id (a uuid)');
      const run = await ctx.api<RunView>('GET', `/v1/compliance/retention-runs/${id}`);
      emit(ctx, opts, run, () => describeRun(run));
    });
}
