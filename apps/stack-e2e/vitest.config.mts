import { defineConfig } from 'vitest/config';
import { projectConfig } from '../../tools/vitest/project-config.mts';

/**
 * Files that run alone, after every other one (a later `sequence.groupOrder`): the reload under load bounds the time a
 * reload takes, and on a 2-core machine the other files' stacks starting beside it would take that time.
 */
const ALONE = ['src/reload-under-load.e2e.test.ts'];
const base = projectConfig('stack-e2e', 'e2e', 60_000);
const { include = [], exclude = [], reporters, ...shared } = base.test ?? {};

export default defineConfig({
  test: {
    reporters,
    projects: [
      { test: { ...shared, name: 'stack-e2e', include, exclude: [...exclude, ...ALONE] } },
      { test: { ...shared, name: 'stack-e2e alone', include: ALONE, exclude, sequence: { groupOrder: 1 } } },
    ],
  },
});
