import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadReleaseFreeMemory, MALLOC_TRIM_ADDON } from './release-free-memory';

const MiB = 1 << 20;
const BUILD = join(__dirname, '..', '..', '..', 'tools', 'build', 'malloc-trim.mjs');
const dir = mkdtempSync(join(tmpdir(), 'mono-malloc-trim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

describe('loadReleaseFreeMemory', () => {
  it('should be null where the addon was not built', () => {
    expect(loadReleaseFreeMemory(dir)).toBeNull();
  });

  it('should give back the free pages between live allocations of the C heap, which free() keeps', async () => {
    execFileSync(process.execPath, [BUILD, join(dir, MALLOC_TRIM_ADDON)]);
    const release = loadReleaseFreeMemory(dir);
    expect(release).not.toBeNull();
    // 2 000 buffers of 64 KiB from malloc's heap; every other one freed leaves 64 MiB in holes between live ones.
    let buffers: Buffer[] | undefined = Array.from({ length: 2_000 }, () => Buffer.alloc(64 * 1024, 1));
    const kept = buffers.filter((_, i) => i % 2 === 0);
    buffers = undefined;
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    // V8 frees the dead buffers' memory on a sweeper thread: synchronised on its accounting of it.
    await vi.waitFor(() => expect(process.memoryUsage().arrayBuffers).toBeLessThan(80 * MiB), { timeout: 5_000 });
    const before = process.memoryUsage.rss();
    expect(release?.()).toBe(true);
    expect(before - process.memoryUsage.rss()).toBeGreaterThan(32 * MiB);
    expect(kept).toHaveLength(1_000);
  });
});
