import { describe, expect, it } from 'vitest';
import { minorGcEvery, type Gc } from './minor-gc-every';

describe('minorGcEvery', () => {
  it('should ask for one minor GC each time the bytes moved reach the threshold', () => {
    const asked: Array<Parameters<Gc>[0]> = [];
    const moved = minorGcEvery({ bytesPerGc: 1_000, gc: (options) => asked.push(options) });
    for (let i = 0; i < 9; i += 1) moved?.(300);
    expect(asked).toEqual([{ type: 'minor' }, { type: 'minor' }]);
  });

  it('should be off when the process has no GC to call (no --expose-gc)', () => {
    expect(minorGcEvery({ gc: null })).toBeUndefined();
  });
});
