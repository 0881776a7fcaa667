import { defineConfig } from 'vitest/config';

/**
 * Two tiers. `unit`: pure code (domain rules, planning, templates, intent rules, config
 * parsing) with no global setup, so `npm run test:unit` answers in seconds without starting
 * any server. `integration`: everything else, against one real Postgres and one Temporal dev
 * server started by the global setup. `npm test` runs both.
 */
const UNIT = [
  'test/unit/**/*.test.ts',
  'test/domain/**/*.test.ts',
  'test/providers/intent-rules.test.ts',
  'test/providers/template-writer.test.ts',
  'test/providers/reply-check.test.ts',
  'test/config/load-config.test.ts',
];

export default defineConfig({
  test: {
    pool: 'forks',
    // Two cores: more parallel files only queue behind Postgres and Temporal.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT, testTimeout: 10_000 } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...UNIT, '**/node_modules/**'],
          globalSetup: ['test/setup/global-setup.ts'],
        },
      },
    ],
  },
});
