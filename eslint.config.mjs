import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/generated/**', '**/node_modules/**', 'tmp/**', '**/*.cjs', '**/*.mjs', '**/*.mts'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:util', 'type:contract'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:contract'] },
            { sourceTag: 'type:contract', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:util', 'type:contract', 'type:testing'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:util', 'type:contract'] },
            { sourceTag: 'scope:edge', notDependOnLibsWithTags: ['scope:gateway', 'scope:framework'] },
            { sourceTag: 'scope:gateway', notDependOnLibsWithTags: ['scope:edge', 'scope:framework'] },
            { sourceTag: 'scope:framework', notDependOnLibsWithTags: ['scope:edge', 'scope:gateway'] },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'Name every export (no export *).' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read the environment only in main.ts and config.ts.' },
      ],
    },
  },
  {
    files: [
      '**/main.ts',
      '**/config.ts',
      '**/telemetry.ts',
      '**/healthcheck.ts',
      '**/*.test.ts',
      'apps/*-e2e/**',
      'libs/testing/**',
      'tools/**',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.ts'],
    ignores: ['**/*.test.ts', '**/testing.ts', 'apps/*-e2e/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@mono/*/testing'], message: 'Test helpers are for tests.' }] },
      ],
    },
  },
);
