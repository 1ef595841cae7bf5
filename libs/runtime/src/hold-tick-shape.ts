import { createHook } from 'node:async_hooks';

let held: object | undefined;

/**
 * Keeps one of Node's tick objects (what `process.nextTick` queues) alive for the life of the process.
 *
 * Without it, a process fell, in 9 of 14 fresh stacks, into a state where `nextTick` cost ~5–8× as much per call for
 * good (an edge process 2.2–3.5 µs per request instead of ~0.4); with one tick object held from the start, in none of
 * 16. That fits V8 holding an object literal's maps and feedback weakly, so that a full GC with no tick object alive
 * (at rest before the first load, a compaction when idle) replaces them
 * (docs/adr/0034-a-request-alone-and-what-a-request-allocates.md). Called first in each process, before any load.
 */
export function holdTickShape(): void {
  if (held !== undefined) return;
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type === 'TickObject' && held === undefined) held = resource;
    },
  });
  hook.enable();
  process.nextTick(noop);
  hook.disable();
}

/** The tick object holdTickShape keeps; undefined before it ran. */
export function heldTick(): object | undefined {
  return held;
}

function noop(): void {}
