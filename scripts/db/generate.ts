import { pathToFileURL } from 'node:url';
import { runPrisma, SCHEMA_PATH } from './prisma-cli';

/**
 * `prisma generate`: the client goes where the schema's generator says
 * (node_modules/.prisma/client for prisma/schema.prisma). It is generated for the wasm
 * query compiler (engineType "client"), so it needs no native engine and runs only with
 * a driver adapter: `new PrismaClient({ adapter: new PrismaPg(...) })`.
 */
export async function generateClient(opts: { schemaPath?: string } = {}): Promise<void> {
  await runPrisma({ args: ['generate', '--schema', opts.schemaPath ?? SCHEMA_PATH] });
}

// `npm run db:generate`
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const started = performance.now();
    await generateClient();
    console.log(`db:generate: Prisma client generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    console.error(`db:generate: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
