import { InvalidArgumentError, type Command } from 'commander';
import { verifyReceiptChains, type ReceiptVerification } from '../db/deletion-receipts';
import { createPrisma } from '../db/prisma';
import { emit, type CliContext } from './context';
import { CliError } from './errors';

interface Receipt {
  seq: string;
  subjectId: string | null;
  cause: string;
  counts: Record<string, number>;
  deletedAt: string;
  hash: string;
}

function limitArg(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200)
    throw new InvalidArgumentError('must be a whole number from 1 to 200');
  return limit;
}

const receiptLine = (r: Receipt) => {
  const counts = Object.entries(r.counts)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `#${r.seq}  ${r.deletedAt}  ${r.cause}  ${counts}${r.subjectId ? `  subject ${r.subjectId}` : ''}  ${r.hash.slice(0, 12)}`;
};

export function addReceiptsCommands(program: Command, ctx: CliContext): void {
  const receipts = program.command('receipts').description('Deletion receipts: proof that deletion happened');

  receipts
    .command('list')
    .summary('Deletion receipts of your business, newest first (counts and causes, never personal data)')
    .option('--limit <n>', 'how many, 1 to 200', limitArg, 20)
    .action(async (opts: { limit: number; json?: boolean }) => {
      const page = await ctx.api<{ data: Receipt[] }>('GET', `/v1/compliance/deletion-receipts?limit=${opts.limit}`);
      emit(ctx, opts, page.data, () =>
        page.data.length === 0 ? 'no deletion receipts' : page.data.map(receiptLine).join('\n'),
      );
    });

  receipts
    .command('verify')
    .summary('Recompute every receipt hash chain in the database (needs DATABASE_URL; exit 1 if a link is broken)')
    .description(
      'Recompute the hash chain of every deletion receipt, read from the database itself (DATABASE_URL, a role that may ' +
        'act as leadflow_compliance): each business has its own chain, receipts without a business are in the platform ' +
        'chain, and receipts written before per-business chains also keep their original links (the legacy chain). ' +
        'A removed or altered receipt shows as the first link of its chain that does not match. Exit 1 if any chain is broken.',
    )
    .action(async (opts: { json?: boolean }) => {
      const databaseUrl = ctx.env.DATABASE_URL?.trim();
      if (!databaseUrl)
        throw new CliError('DATABASE_URL is not set: receipts verify reads the chains from the database itself');
      const db = createPrisma({ databaseUrl, max: 1 });
      try {
        const result = await verifyReceiptChains(db).catch((err: Error & { code?: string }) => {
          throw new CliError(
            `cannot read the receipts (${err.code ?? err.name}): check DATABASE_URL and that its role may act as leadflow_compliance`,
          );
        });
        emit(ctx, opts, result, () => verificationText(result));
        if (!result.ok) ctx.exitCode = 1;
      } finally {
        await db.$disconnect();
      }
    });
}

function verificationText(result: ReceiptVerification): string {
  const chains = `${result.chains.length} chain${result.chains.length === 1 ? '' : 's'}`;
  if (result.ok)
    return `receipt chain intact: ${result.checked} receipts verified in ${chains} (one per business, and the platform's)`;
  const broken = result.chains
    .filter((c) => !c.ok)
    .map((c) => `chain ${c.chain} BROKEN at seq ${c.brokenAtSeq} (${c.checked} receipts checked)`);
  return [...broken, `a receipt was removed or altered (${chains} checked)`].join('\n');
}
