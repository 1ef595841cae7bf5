import { createHook } from 'node:async_hooks';

let held: object | undefined;

/**
 * Keeps one of Node's tick objects (what `process.nextTick` queues) alive for the life of the process.
 *
 * Without it, a process fell, in 9 of 14 fresh stacks, into a state where `nextTick` cost ~5–8× as much per call for
 * good (the edge 2.8–3.5 µs per request instead of ~0.4; the gateway and the framework less often); with one tick
 * object held from the start, in none of 10. V8 keeps an object literal's maps, and the feedback of the literal that
 * builds tick objects, only weakly: with no tick object alive when a full GC runs (a service at rest before its first
 * load, a compaction when idle), the next one gets maps of its own and the literal's feedback gives up on them
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
