import { describe, expect, it } from 'vitest';
import { CallTable } from './call-table';

describe('CallTable', () => {
  it('should get, replace and delete by id', () => {
    const table = new CallTable<string>();
    table.set(7, 'a');
    table.set(0, 'zero');
    table.set(0xffff_ffff, 'max');
    table.set(7, 'b');
    expect([table.get(7), table.get(0), table.get(0xffff_ffff), table.get(8)]).toEqual(['b', 'zero', 'max', undefined]);
    expect(table.size).toBe(3);
    expect(table.delete(7)).toBe(true);
    expect(table.delete(7)).toBe(false);
    expect(table.has(7)).toBe(false);
    expect(table.values().sort()).toEqual(['max', 'zero']);
    table.clear();
    expect([table.size, table.get(0)]).toEqual([0, undefined]);
  });

  it('should agree with a Map over random churn, through growing to thousands of calls and shrinking back', () => {
    const table = new CallTable<number>();
    const model = new Map<number, number>();
    let seed = 42;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const live: number[] = [];
    let nextId = 1;
    let largest = 0;
    for (let step = 0; step < 200_000; step++) {
      const adding = step < 100_000 ? 0.6 : 0.35;
      if (random() < adding) {
        // Mostly sequential ids, as the client sends them; some from a small range, which collide and probe.
        const id = random() < 0.8 ? nextId++ : Math.floor(random() * 5_000);
        if (!model.has(id)) live.push(id);
        table.set(id, step);
        model.set(id, step);
      } else if (live.length > 0 && random() < 0.9) {
        const at = Math.floor(random() * live.length);
        const id = live[at] as number;
        live[at] = live[live.length - 1] as number;
        live.pop();
        expect(table.delete(id)).toBe(model.delete(id));
      } else {
        expect(table.delete(0xffff_fff0)).toBe(false);
      }
      largest = Math.max(largest, model.size);
      if (step % 9_973 === 0) {
        expect(table.size).toBe(model.size);
        expect([...model].filter(([key, value]) => table.get(key) !== value)).toEqual([]);
      }
    }
    expect(largest).toBeGreaterThan(10_000);
    expect(model.size).toBeLessThan(largest / 8);
    expect(table.values().sort((a, b) => a - b)).toEqual([...model.values()].sort((a, b) => a - b));
  });

  it('should refuse undefined, which marks an empty slot', () => {
    expect(() => new CallTable<string | undefined>().set(1, undefined)).toThrow(TypeError);
  });
});
