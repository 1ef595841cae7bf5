import { loadReleaseFreeMemory, type ReleaseFreeMemory } from './release-free-memory';

/** What `--expose-gc` puts on globalThis. */
export type Gc = (options: { type: 'minor' | 'major' }) => void;

/**
 * Body bytes a process may move between two minor GCs. V8 frees a Buffer's memory only when a GC finds it dead, and
 * it starts one for external memory only after ~64 MiB more was allocated; a hop that forwards a large body allocates
 * several copies of it (grpc-js frames and reassembles every message). A scavenge every few MiB frees those
 * short-lived copies while they are still young, keeping a streaming process ~50 MiB smaller and replacing full
 * mark-compacts by cheap scavenges (docs/adr/0003-memory.md).
 */
const BODY_BYTES_PER_GC = 8 << 20; // 8 MiB

/**
 * A counter for a service's transports (`onBodyBytes` of MuxClient and addExchangeService) that asks V8 for a minor
 * GC each time `bytesPerGc` more body bytes were sent or received, and first hands back the C heap's free pages
 * (`releaseFreeMemory`, malloc_trim): what the last one freed lies in holes between live buffers, which `free()`
 * keeps resident (docs/adr/0044-the-c-heap-trimmed-as-a-body-streams.md). One per process, shared by every transport
 * in it. This is the one place that reads `globalThis.gc`: without `--expose-gc` (every launcher sets it,
 * tools/run/node-flags) there is nothing to call, and the result is `undefined`: no nudge.
 *
 * @example
 * const onBodyBytes = minorGcEvery();
 * new MuxClient(address, frameworkBoundary, { errors: frameworkHopErrors.client, onBodyBytes });
 */
export function minorGcEvery({
  bytesPerGc = BODY_BYTES_PER_GC,
  gc = (globalThis as { gc?: Gc }).gc ?? null,
  releaseFreeMemory,
}: { bytesPerGc?: number; gc?: Gc | null; releaseFreeMemory?: ReleaseFreeMemory | null } = {}):
  ((bytes: number) => void) | undefined {
  if (gc == null) return undefined;
  // Loaded only where it will be used: a process without --expose-gc never touches the addon.
  const trim = releaseFreeMemory === undefined ? loadReleaseFreeMemory() : releaseFreeMemory;
  let moved = 0;
  return function bodyBytesMoved(bytes: number): void {
    moved += bytes;
    if (moved < bytesPerGc) return;
    moved = 0;
    trim?.();
    gc({ type: 'minor' });
  };
}
