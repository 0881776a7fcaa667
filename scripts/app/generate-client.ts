import { writeFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { createApp } from '../../api/app';
import { createPrisma } from '../../db/prisma';
import { createLogger } from '../../logging/logger';
import { clientSource, SCHEMA_PATH } from './client-source';

/**
 * `npm run app:client [url]`: regenerate app/src/api/schema.d.ts from a running API's
 * /openapi.json, or, without a URL, from the API built in this process (the document
 * depends only on the routes, not on a database or Temporal, which are never called).
 */
async function openApiDocument(url: string | undefined): Promise<Record<string, unknown>> {
  if (url) {
    const res = await fetch(new URL('/openapi.json', url));
    if (!res.ok) throw new Error(`GET ${url}/openapi.json answered ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  }
  // A pool connects on its first query, and building the routes makes none.
  const db = createPrisma({ databaseUrl: 'postgresql://unused@127.0.0.1:1/unused', max: 1 });
  const app = createApp({
    db,
    temporal: {} as Client,
    log: createLogger({ name: 'app-client', level: 'silent' }),
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const res = await fetch(`http://127.0.0.1:${port}/openapi.json`);
    return (await res.json()) as Record<string, unknown>;
  } finally {
    server.close();
    await db.$disconnect();
  }
}

const source = await clientSource(await openApiDocument(process.argv[2]));
writeFileSync(SCHEMA_PATH, source);
console.log(`app:client: wrote ${SCHEMA_PATH}`);
