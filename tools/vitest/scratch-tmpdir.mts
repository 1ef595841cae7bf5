import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Vitest's global setup: a run's tests, and whatever they start with the environment they inherit, get a temporary
 * directory of their own (TMPDIR, which os.tmpdir() reads), removed with what they left in it when the run ends.
 */
export default function setup(): () => void {
  const previous = process.env['TMPDIR'];
  const dir = mkdtempSync(join(tmpdir(), 'mono-test-'));
  process.env['TMPDIR'] = dir;
  return () => {
    if (previous === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = previous;
    // The workers end after this: a process of theirs may still be writing, hence the retries.
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  };
}
