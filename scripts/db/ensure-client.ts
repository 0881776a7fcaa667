import { ensurePrismaClient } from '../bootstrap';

/**
 * `postinstall` (after `npm ci`): the generated Prisma client, so every entry point that
 * imports `@prisma/client` at load time (`npm start`, `npm run test:fuzz`, `npm run
 * test:faults`, `npm run bench`) works on a fresh clone before anything has bootstrapped.
 * Offline and idempotent: skipped while schema.prisma is unchanged.
 */
await ensurePrismaClient((line) => console.log(`postinstall: ${line}`));
