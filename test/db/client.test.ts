import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateClient } from '../../scripts/db/generate';
import { migrateDeploy } from '../../scripts/db/migrate';
import { SCHEMA_PATH } from '../../scripts/db/prisma-cli';
import { ROOT } from '../../scripts/toolchain/paths';
import { startLocalPostgres, type LocalPostgres } from '../../scripts/toolchain/postgres';

const scratch = mkdtempSync(join(tmpdir(), 'leadflow-client-'));
let server: LocalPostgres;

interface Business {
  id: string;
  name: string;
  timeZone: string;
  followUpCadence: number[];
  createdAt: Date;
}
interface GeneratedClient {
  business: {
    create(args: { data: { name: string } }): Promise<Business>;
    findUniqueOrThrow(args: { where: { id: string } }): Promise<Business>;
  };
  $disconnect(): Promise<void>;
}

beforeAll(async () => {
  server = await startLocalPostgres({ dataDir: join(scratch, 'pg') });
  await migrateDeploy({ databaseUrl: server.url });
});

afterAll(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('generateClient', () => {
  it('generates a client that reads and writes through the pg adapter without a native engine', async () => {
    // A copy of the schema in a scratch project, so the shared node_modules/.prisma/client
    // is left alone: its output (../node_modules/.prisma/client) lands in the scratch folder.
    mkdirSync(join(scratch, 'prisma'));
    copyFileSync(SCHEMA_PATH, join(scratch, 'prisma', 'schema.prisma'));
    writeFileSync(join(scratch, 'package.json'), '{ "private": true }\n');
    mkdirSync(join(scratch, 'node_modules'));
    for (const pkg of ['prisma', '@prisma'])
      symlinkSync(join(ROOT, 'node_modules', pkg), join(scratch, 'node_modules', pkg));
    await generateClient({ schemaPath: join(scratch, 'prisma', 'schema.prisma') });
    const entry = join(scratch, 'node_modules', '.prisma', 'client', 'index.js');
    const { PrismaClient } = (await import(pathToFileURL(entry).href)) as {
      PrismaClient: new (opts: { adapter: PrismaPg }) => GeneratedClient;
    };

    const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: server.url }) });
    try {
      const created = await db.business.create({ data: { name: 'Rivera Plumbing' } });
      const read = await db.business.findUniqueOrThrow({ where: { id: created.id } });
      expect(read).toMatchObject({
        name: 'Rivera Plumbing',
        timeZone: 'America/New_York',
        followUpCadence: [60, 1440, 4320, 10080],
      });
      expect(read.createdAt).toBeInstanceOf(Date);
    } finally {
      await db.$disconnect();
    }
  });
});
