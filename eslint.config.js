import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'assert',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'readline',
  'stream',
  'timers',
  'tls',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.tools/**',
      '.data/**',
      'dist/**',
      'app/dist/**',
      'test-artifacts/**',
      'api/widget/assets/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O
    // clients, no configuration; activities are imported as types only.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: NODE_BUILTINS.flatMap((name) => [
            { name, message: 'Workflows run in a deterministic sandbox: do I/O in an activity.' },
            { name: `node:${name}`, message: 'Workflows run in a deterministic sandbox: do I/O in an activity.' },
          ]),
          patterns: [
            {
              group: [
                '@prisma/*',
                'pg',
                'twilio',
                'stripe',
                'googleapis',
                '@anthropic-ai/*',
                '@temporalio/client',
                '@temporalio/worker',
                '@temporalio/activity',
              ],
              message: 'No I/O clients in workflow code.',
            },
            {
              group: ['**/activities', '**/activities/*', '**/activities/**', '!**/activities/types'],
              message: 'Import activity types only (activities/types).',
              allowTypeImports: true,
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Workflows get configuration as input, never from process.env.' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
);
