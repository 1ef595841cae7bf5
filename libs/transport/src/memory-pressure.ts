/**
 * Body bytes a process may move between two minor GCs. V8 frees a Buffer's memory only when a GC finds it dead,
 * and it starts one for external memory only after ~64 MiB more was allocated; a hop that forwards a large body
 * allocates several copies of it (grpc-js frames and reassembles every message). Nudging a scavenge every few
 * MiB frees those short-lived copies while they are still young, keeping a streaming process ~50 MiB smaller and
 * replacing full mark-compacts by cheap scavenges (docs/adr/0003-memory.md).
 */
const BYTES_PER_GC = 8 << 20; // 8 MiB

type Gc = (options: { type: 'minor' | 'major' }) => void;

/** Present when the process runs with --expose-gc, as every launcher starts the services. */
const gc = (globalThis as { gc?: Gc }).gc;
let moved = 0;

/** Counts body bytes this process sent or received on a hop. */
export function bodyBytesMoved(bytes: number): void {
  if (gc === undefined) return;
  moved += bytes;
  if (moved < BYTES_PER_GC) return;
  moved = 0;
  gc({ type: 'minor' });
}
