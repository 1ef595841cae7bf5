import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The addon tools/build/malloc-trim.mjs builds beside each service's bundle. */
export const MALLOC_TRIM_ADDON = 'malloc-trim.node';

/**
 * glibc's `malloc_trim(0)`: hands back to the system every whole free page of the C heap, wherever it lies (free()
 * gives back only the top of the heap). A burst leaves the heap full of holes — message buffers, HTTP/2 streams and
 * sockets freed between ones still alive — that stay resident for good otherwise (measured: 8–15 MiB in each
 * service after `-c1000`; docs/adr/0020-giving-back-the-c-heap.md). True when it released something.
 */
export type ReleaseFreeMemory = () => boolean;

/**
 * The addon in `dir` (by default beside the running bundle), or null where it is not: not built (no C compiler at
 * build time), or the tests' sources. One that is there but does not load (built for another platform) throws.
 */
export function loadReleaseFreeMemory(dir: string = __dirname): ReleaseFreeMemory | null {
  const path = join(dir, MALLOC_TRIM_ADDON);
  if (!existsSync(path)) return null;
  const addon = { exports: {} as { mallocTrim?: ReleaseFreeMemory } };
  process.dlopen(addon, path);
  if (typeof addon.exports.mallocTrim !== 'function') throw new Error(`${path}: no mallocTrim in it`);
  return addon.exports.mallocTrim;
}
