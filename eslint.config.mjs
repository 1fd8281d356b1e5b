// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = ['node:*', 'fs', 'path', 'os', 'child_process', 'http', 'https', 'net', 'crypto'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', 'jest.config.js', 'eslint.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code is replayed: no I/O, no clients, no wall clock outside Temporal's.
    files: ['workflows/**/*.ts', 'test/harness/workflows/**/*.ts', 'bench/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ioModules, message: 'Workflows do no I/O: move it to an activity.' },
            { group: ['@kubernetes/*', '@slack/*', '@temporalio/client', '@temporalio/worker', '@temporalio/activity', 'pino', 'yaml'], message: 'Workflows do no I/O: call an activity instead.' },
            { group: ['**/activities/**', '!**/activities/**/types', '../activities', '../activities/*'], allowTypeImports: true, message: 'Import activity types only (import type).' },
          ],
        },
      ],
    },
  },
  {
    // The edges never reach into clusters; activities never know about Slack commands.
    files: ['bot/**/*.ts', 'cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@kubernetes/*', '**/activities/**', '**/worker/**'], message: 'Edges talk to Temporal only.' }] }],
    },
  },
  {
    // The CLI shares the grammar with the bot through common/, never the bot itself (DESIGN.md).
    files: ['cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@kubernetes/*', '**/activities/**', '**/worker/**', '**/bot/**', '@slack/*'], message: 'The CLI talks to Temporal only, and shares the /mesh grammar through common/.' }] }],
    },
  },
  {
    files: ['activities/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/workflows/**', '**/bot/**', '@slack/bolt'], message: 'Activities know nothing of workflows or the bot.' }] }],
    },
  },
);
