import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchFiles } from './watch-files';
import { scratchDir } from './testing';

const stops: Array<() => void> = [];
afterEach(() => {
  while (stops.length > 0) stops.pop()?.();
});

function files(): { dir: string; app: string; other: string } {
  const dir = scratchDir('fw-watch-');
  const app = join(dir, 'app.cjs');
  const other = join(dir, 'notes.txt');
  writeFileSync(app, 'exports.a = 1;\n');
  writeFileSync(other, 'x\n');
  return { dir, app, other };
}

function changes(watched: string[]): Promise<string> {
  return new Promise((resolve) => stops.push(watchFiles(watched, resolve)));
}

describe('watchFiles', () => {
  it('should report a rewritten file once, not a file beside it', async () => {
    const { app, other } = files();
    const changed = changes([app]);
    writeFileSync(other, 'y\n');
    writeFileSync(app, 'exports.a = 2;\n');
    writeFileSync(app, 'exports.a = 3;\n');
    expect(await changed).toBe(app);
  });

  it('should report a file replaced by a rename, as bundlers and editors write', async () => {
    const { dir, app } = files();
    const changed = changes([app]);
    writeFileSync(join(dir, 'app.cjs.tmp'), 'exports.a = 4;\n');
    renameSync(join(dir, 'app.cjs.tmp'), app);
    expect(await changed).toBe(app);
  });
});
