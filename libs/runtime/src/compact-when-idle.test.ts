import { describe, expect, it, vi } from 'vitest';
import { compactWhenIdle, type Compaction } from './compact-when-idle';

describe('compactWhenIdle', () => {
  it('should do nothing without --expose-gc', () => {
    expect(compactWhenIdle({ gc: null })).toBeUndefined();
  });

  it('should run one full collection once the heap grew and the event loop is idle, and not again', async () => {
    const gc = vi.fn();
    const releaseFreeMemory = vi.fn(() => true);
    const beforeCompact = vi.fn();
    const compactions: Compaction[] = [];
    const stop = compactWhenIdle({
      everyMs: 50,
      growthBytes: 4 << 20,
      quietMs: 100,
      afterStart: false,
      gc,
      releaseFreeMemory,
      beforeCompact,
      onCompact: (c) => compactions.push(c),
    });
    // Objects the heap has to grow for (a burst of requests' worth), still alive while it is looked at.
    const kept = Array.from({ length: 200_000 }, (_, i) => ({ i, text: `request ${i}` }));
    await vi.waitFor(() => expect(gc).toHaveBeenCalledTimes(1), { timeout: 5_000 });
    expect(gc).toHaveBeenCalledWith({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    expect(compactions[0]?.before).toBeGreaterThan(0);
    expect(compactions[0]?.rssAfter).toBeGreaterThan(0);
    // What the service keeps for the next burst goes first; the C heap's free pages after V8 freed what it held.
    expect(beforeCompact.mock.invocationCallOrder[0]).toBeLessThan(gc.mock.invocationCallOrder[0] ?? -Infinity);
    expect(releaseFreeMemory).toHaveBeenCalledTimes(1);
    expect(releaseFreeMemory.mock.invocationCallOrder[0]).toBeGreaterThan(gc.mock.invocationCallOrder[0] ?? Infinity);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(gc).toHaveBeenCalledTimes(1);
    stop?.();
    expect(kept.length).toBe(200_000);
  });

  it('should run one after work that left the heap no larger, once the process is idle', async () => {
    const gc = vi.fn();
    const stop = compactWhenIdle({
      everyMs: 50,
      growthBytes: 1 << 30,
      workMs: 100,
      workEveryMs: 0,
      quietBelow: 0.5,
      quietMs: 100,
      afterStart: false,
      gc,
    });
    const until = performance.now() + 150;
    while (performance.now() < until); // work: the event loop busy for 150 ms
    await vi.waitFor(() => expect(gc).toHaveBeenCalledTimes(1), { timeout: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    stop?.();
    expect(gc).toHaveBeenCalledTimes(1);
  });

  it('should run one at once when it starts, for what start-up left, without waiting for an idle period', async () => {
    const gc = vi.fn();
    const compactions: Compaction[] = [];
    // A process loaded from its first moment: no idle period comes, and quietMs is a minute.
    const stop = compactWhenIdle({
      everyMs: 20,
      growthBytes: 0,
      workMs: 0,
      quietMs: 60_000,
      gc,
      onCompact: (c) => compactions.push(c),
    });
    expect(gc).toHaveBeenCalledTimes(1);
    expect(gc).toHaveBeenCalledWith({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    expect(compactions).toHaveLength(1);
    const until = performance.now() + 200;
    while (performance.now() < until) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 200));
    stop?.();
    expect(gc).toHaveBeenCalledTimes(1);
  });

  it('should run one more in the first idle period after it starts, for what its last steps left, and not again', async () => {
    const gc = vi.fn();
    // Not held for quietMs (a minute, past the wait's 5 s): nothing has run yet whose optimised code or young
    // generation a compaction would drop.
    const stop = compactWhenIdle({ everyMs: 50, growthBytes: 1 << 30, workMs: Infinity, quietMs: 60_000, gc });
    expect(gc).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(gc).toHaveBeenCalledTimes(2), { timeout: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    stop?.();
    expect(gc).toHaveBeenCalledTimes(2);
  });

  it('should wait until the process has been idle for quietMs, however short the pauses between bursts', async () => {
    const compactedAt: number[] = [];
    const quietMs = 300;
    const gc = () => compactedAt.push(performance.now());
    const stop = compactWhenIdle({ everyMs: 20, growthBytes: 0, quietMs, workMs: 50, afterStart: false, gc });
    let workedUntil = 0;
    // Bursts of work with pauses shorter than quietMs between them: each pause is idle periods, none long enough.
    for (let burst = 0; burst < 5; burst += 1) {
      const until = performance.now() + (burst === 0 ? 100 : 40);
      while (performance.now() < until);
      workedUntil = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 120));
    }
    await vi.waitFor(() => expect(compactedAt.length).toBeGreaterThan(0), { timeout: 5_000 });
    stop?.();
    expect((compactedAt[0] ?? 0) - workedUntil).toBeGreaterThanOrEqual(quietMs);
  });

  it('should leave a busy process alone', async () => {
    const gc = vi.fn();
    const stop = compactWhenIdle({ everyMs: 50, growthBytes: 0, idleBelow: 0, afterStart: false, gc });
    await new Promise((resolve) => setTimeout(resolve, 200));
    stop?.();
    expect(gc).not.toHaveBeenCalled();
  });
});
