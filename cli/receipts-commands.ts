import { verifyReceiptChain } from '../db/deletion-receipts';
import { createPrisma } from '../db/prisma';
import { api } from './http';
import { CliError, registerCommands, stringFlag, usageError } from './registry';

interface Receipt {
  seq: string;
  subjectId: string | null;
  cause: string;
  counts: Record<string, number>;
  deletedAt: string;
  hash: string;
}

registerCommands([
  {
    name: 'receipts list',
    usage: '[--limit n] [--json]',
    summary: 'Deletion receipts of your business, newest first (counts and causes, never personal data)',
    async run(args) {
      const raw = stringFlag(args, 'limit') ?? '20';
      const limit = Number(raw);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200)
        throw usageError('--limit must be a whole number from 1 to 200');
      const page = await api<{ data: Receipt[] }>('GET', `/v1/compliance/deletion-receipts?limit=${limit}`);
      if (args.flags.json) return console.log(JSON.stringify(page.data, null, 2));
      if (page.data.length === 0) return console.log('no deletion receipts');
      for (const r of page.data) {
        const counts = Object.entries(r.counts)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ');
        console.log(
          `#${r.seq}  ${r.deletedAt}  ${r.cause}  ${counts}${r.subjectId ? `  subject ${r.subjectId}` : ''}  ${r.hash.slice(0, 12)}`,
        );
      }
    },
  },
  {
    name: 'receipts verify',
    usage: '',
    summary: 'Recompute the whole receipt hash chain in the database (needs DATABASE_URL; exit 1 if a link is broken)',
    async run() {
      const databaseUrl = process.env.DATABASE_URL?.trim();
      if (!databaseUrl)
        throw new CliError('DATABASE_URL is not set: receipts verify reads the chain from the database itself');
      const db = createPrisma({ databaseUrl, max: 1 });
      try {
        const result = await verifyReceiptChain(db).catch((err: Error & { code?: string }) => {
          throw new CliError(
            `cannot read the receipts (${err.code ?? err.name}): check DATABASE_URL and that its role may act as leadflow_compliance`,
          );
        });
        if (result.ok) {
          console.log(`receipt chain intact: ${result.checked} receipts verified`);
          return 0;
        }
        console.log(
          `receipt chain BROKEN at seq ${result.brokenAtSeq} (${result.checked} receipts checked): a receipt was removed or altered`,
        );
        return 1;
      } finally {
        await db.$disconnect();
      }
    },
  },
]);
