import { defineConfig } from 'prisma/config';
import { migrationAdapter } from './scripts/db/adapter';

/**
 * Prisma 6.19.3 with the WebAssembly schema engine: generate and every `migrate`
 * command work without the native engines, which this project never downloads
 * (package.json `allowScripts` blocks Prisma's install scripts).
 */
const configuredUrl = process.env.DATABASE_URL;
// schema.prisma reads env("DATABASE_URL"); left unresolved, the CLI goes looking for a
// native query engine to download. The placeholder is never connected to: adapter()
// below refuses to run without a real URL.
process.env.DATABASE_URL ||= 'postgresql://unset@127.0.0.1:1/unset';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  // `migrate deploy` has no flag for the folder; scripts/db points it at temporary ones in tests.
  migrations: { path: process.env.LEADFLOW_MIGRATIONS_DIR || 'prisma/migrations' },
  experimental: { adapter: true },
  engine: 'js',
  async adapter() {
    if (!configuredUrl) throw new Error('DATABASE_URL is not set: migrate commands need the database to work on');
    return migrationAdapter({ databaseUrl: configuredUrl });
  },
});
