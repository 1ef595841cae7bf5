import { describe, expect, it } from 'vitest';
import { heldTick, holdTickShape } from './hold-tick-shape';

describe('holdTickShape', () => {
  it("should hold one of Node's own tick objects, with the fields nextTick gives them, and keep holding that one", () => {
    expect(heldTick()).toBeUndefined();
    holdTickShape();
    const tick = heldTick() as Record<PropertyKey, unknown>;
    expect(Object.keys(tick)).toEqual(['callback', 'args']);
    expect(Object.getOwnPropertySymbols(tick).map((s) => s.description)).toEqual([
      'async_id_symbol',
      'trigger_async_id_symbol',
      'kAsyncContextFrame',
    ]);
    expect(typeof tick.callback).toBe('function');
    holdTickShape();
    process.nextTick(() => {});
    expect(heldTick()).toBe(tick);
  });
});
