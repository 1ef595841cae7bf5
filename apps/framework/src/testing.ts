import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

/** Under the repository, so that modules written there resolve its node_modules. */
const SCRATCH = join(__dirname, '..', '..', '..', 'tmp');

/**
 * A new directory for the running test's files (apps, configurations), removed with everything in it when the test
 * has finished, after its afterEach hooks have stopped what used it.
 *
 * @example
 * const dir = scratchDir('fw-app-');
 */
export function scratchDir(prefix: string): string {
  mkdirSync(SCRATCH, { recursive: true });
  const dir = mkdtempSync(join(SCRATCH, prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
