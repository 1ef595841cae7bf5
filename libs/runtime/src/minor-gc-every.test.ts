import { describe, expect, it } from 'vitest';
import { minorGcEvery, type Gc } from './minor-gc-every';

describe('minorGcEvery', () => {
  it('should ask for one minor GC each time the bytes moved reach the threshold', () => {
    const asked: Array<Parameters<Gc>[0]> = [];
    const moved = minorGcEvery({ bytesPerGc: 1_000, gc: (options) => asked.push(options), releaseFreeMemory: null });
    for (let i = 0; i < 9; i += 1) moved?.(300);
    expect(asked).toEqual([{ type: 'minor' }, { type: 'minor' }]);
  });

  it("should hand back the C heap's free pages before each minor GC, and not in between", () => {
    const calls: string[] = [];
    const moved = minorGcEvery({
      bytesPerGc: 1_000,
      gc: () => calls.push('gc'),
      releaseFreeMemory: () => calls.push('trim') > 0,
    });
    for (let i = 0; i < 8; i += 1) moved?.(300);
    expect(calls).toEqual(['trim', 'gc', 'trim', 'gc']);
  });

  it('should be off when the process has no GC to call (no --expose-gc)', () => {
    expect(minorGcEvery({ gc: null, releaseFreeMemory: () => true })).toBeUndefined();
  });
});
