import { SWEEP_CATEGORIES, type CategoryCounts } from '../workflows/retention/definitions';
import { api } from './http';
import { registerCommands, stringFlag, usageError, type ParsedArgs } from './registry';

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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function printRun(run: RunView, args: ParsedArgs) {
  if (args.flags.json) return console.log(JSON.stringify(run, null, 2));
  console.log(
    `retention run ${run.id}: ${run.status}${run.dryRun ? ' (dry run)' : ''}, started ${run.startedAt}${run.finishedAt ? `, finished ${run.finishedAt}` : ''}`,
  );
  console.log(`  expired before: per category, ${run.report.asOf} minus its retention period`);
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
    console.log(
      `  ${category.padEnd(18)} ${label} ${run.dryRun ? c.wouldDelete : c.deleted}, kept by legal hold ${c.keptByHold}${extra ? ` (${extra})` : ''}`,
    );
  }
  if (Object.keys(run.report.totals).length === 0) console.log('  nothing expired');
  if (run.report.error) console.log(`  error: ${run.report.error}`);
}

async function waitFor(id: string): Promise<RunView> {
  for (;;) {
    const run = await api<RunView>('GET', `/v1/compliance/retention-runs/${id}`);
    if (run.status !== 'running') return run;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

registerCommands([
  {
    name: 'retention run',
    usage: '[--dry-run] [--wait] [--categories a,b] [--json]',
    summary:
      'Start a retention sweep of your business (a dry run counts what would go and deletes nothing); --wait prints the report',
    async run(args) {
      const list = stringFlag(args, 'categories')
        ?.split(',')
        .map((c) => c.trim());
      const unknown = list?.find((c) => !(SWEEP_CATEGORIES as readonly string[]).includes(c));
      if (unknown) throw usageError(`unknown category "${unknown}" (one of ${SWEEP_CATEGORIES.join(', ')})`);
      const started = await api<{ id: string; status: string; dryRun: boolean }>(
        'POST',
        '/v1/compliance/retention-runs',
        { dryRun: Boolean(args.flags['dry-run']), ...(list ? { categories: list } : {}) },
      );
      if (!args.flags.wait) {
        if (args.flags.json) console.log(JSON.stringify(started));
        else
          console.log(
            `retention run ${started.id} started${started.dryRun ? ' (dry run)' : ''}; see it with: leadflow retention show ${started.id}`,
          );
        return 0;
      }
      const run = await waitFor(started.id);
      printRun(run, args);
      return run.status === 'completed' ? 0 : 1;
    },
  },
  {
    name: 'retention show',
    usage: '<run id> [--json]',
    summary: 'A retention run and its report: deleted (or would delete) and kept by legal hold, per category',
    async run(args) {
      const id = args.positional[0];
      if (!id || !UUID.test(id)) throw usageError('retention show needs a run id (a uuid)');
      printRun(await api<RunView>('GET', `/v1/compliance/retention-runs/${id}`), args);
    },
  },
]);
