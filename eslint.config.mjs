import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const NO_EXPORT_ALL = { selector: 'ExportAllDeclaration', message: 'Name every export (no export *).' };
const FUNCTION_LITERAL = ':matches(ArrowFunctionExpression, FunctionExpression)';
// What TypeScript erases around an expression: V8 sees the function literal beneath it.
const TS_CAST = ':matches(TSAsExpression, TSSatisfiesExpression, TSTypeAssertion, TSNonNullExpression)';
// V8's parser takes `obj.prop = function () {}` for a method and allocates the function in the old generation; made
// once per request, such a closure keeps everything it reaches alive through every scavenge (docs/adr/0031).
const FUNCTION_TO_PROPERTY =
  'Name the function with a const before assigning it to a property: V8 allocates a function literal assigned to a property in the old generation, and one made per request keeps all it reaches alive until a full GC (docs/adr/0031-functions-assigned-to-properties.md).';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/generated/**',
      '**/node_modules/**',
      'tmp/**',
      // What no tsconfig includes: each project's vitest config, and outside tools/ the JavaScript (test fixtures).
      '**/vitest.config.mts',
      '{apps,libs,infra,examples}/**/*.{cjs,mjs}',
      '*.{cjs,mjs}',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', 'tools/**/*.{cjs,mjs,mts}'],
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
            { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['type:util', 'type:contract', 'type:testing'] },
            { sourceTag: 'scope:edge', notDependOnLibsWithTags: ['scope:gateway', 'scope:framework'] },
            { sourceTag: 'scope:gateway', notDependOnLibsWithTags: ['scope:edge', 'scope:framework'] },
            { sourceTag: 'scope:framework', notDependOnLibsWithTags: ['scope:edge', 'scope:gateway'] },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        NO_EXPORT_ALL,
        {
          selector: `:function AssignmentExpression[left.type='MemberExpression'] > ${FUNCTION_LITERAL}.right`,
          message: FUNCTION_TO_PROPERTY,
        },
        {
          selector: `:function AssignmentExpression[left.type='MemberExpression'] > ${TS_CAST}.right > ${FUNCTION_LITERAL}`,
          message: FUNCTION_TO_PROPERTY,
        },
        {
          selector: `:function AssignmentExpression[left.type='MemberExpression'] > ${TS_CAST}.right > ${TS_CAST} > ${FUNCTION_LITERAL}`,
          message: FUNCTION_TO_PROPERTY,
        },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message:
            'Read the environment only where a process starts: main.ts, telemetry.ts, healthcheck.ts, the framework worker (docs/principles.md, 7).',
        },
      ],
    },
  },
  {
    files: [
      '**/main.ts',
      '**/config.ts',
      '**/telemetry.ts',
      '**/healthcheck.ts',
      // The framework's worker process: its main.ts (forked by the master, docs/adr/0010).
      'apps/framework/src/worker.ts',
      '**/*.test.ts',
      'apps/*-e2e/**',
      'libs/testing/**',
      'tools/**',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Tests make their functions once; a const for each listener they set would only add lines.
    files: ['**/*.test.ts', '**/testing.ts', 'apps/*-e2e/**'],
    rules: { 'no-restricted-syntax': ['error', NO_EXPORT_ALL] },
  },
  {
    // tools/ runs its scripts with plain Node, no build step: JavaScript checked by ESLint's own rules here and by tsc
    // (tools/tsconfig.json, checkJs) for types. Undefined names are tsc's to find (with Node's types), unused ones
    // typescript-eslint's (the same rule as for TypeScript).
    files: ['tools/**/*.{cjs,mjs}'],
    rules: { ...js.configs.recommended.rules, 'no-undef': 'off', 'no-unused-vars': 'off' },
  },
  {
    files: ['tools/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.ts'],
    ignores: ['**/*.test.ts', '**/testing.ts', 'apps/*-e2e/**', 'libs/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@mono/*/testing'], message: 'Test helpers are for tests.' }] },
      ],
    },
  },
);
