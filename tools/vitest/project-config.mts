import { resolve } from 'node:path';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

type Kind = 'test' | 'e2e' | 'integration' | 'browser' | 'load';

const INCLUDE: Record<Kind, string[]> = {
  test: ['src/**/*.test.ts'],
  e2e: ['src/**/*.e2e.test.ts'],
  integration: ['src/**/*.int.test.ts'],
  browser: ['src/**/*.browser.test.ts'],
  load: ['src/**/*.load.test.ts'],
};

const EXCLUDE: Record<Kind, string[]> = {
  test: ['src/**/*.e2e.test.ts', 'src/**/*.int.test.ts', 'src/**/*.browser.test.ts', 'src/**/*.load.test.ts'],
  e2e: [],
  integration: [],
  browser: [],
  load: [],
};

/**
 * The vitest configuration of one project and one kind of suite. With MONO_TEST_REPORT_DIR set (the README's test
 * command sets it), each run also writes a JSON report there, from which tools/ci/summarize.mjs prints the one
 * `N passed, N failed` line over every suite.
 */
export function projectConfig(project: string, kind: Kind = 'test', timeoutMs = 10_000): ViteUserConfig {
  const reportDir = process.env['MONO_TEST_REPORT_DIR'];
  return defineConfig({
    test: {
      name: project,
      include: INCLUDE[kind],
      exclude: ['**/node_modules/**', ...EXCLUDE[kind]],
      testTimeout: timeoutMs,
      hookTimeout: timeoutMs,
      pool: 'forks',
      globalSetup: [resolve(import.meta.dirname, 'scratch-tmpdir.mts')],
      reporters: reportDir
        ? ['default', ['json', { outputFile: resolve(reportDir, `${project}.${kind}.json`) }]]
        : ['default'],
    },
  });
}
