import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextLoopTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Deadlines } from './deadlines';

/** A promise that resolves with the order in which its expiry came, among those recorded in `order`. */
function expiry(order: string[], name: string): { onExpire: () => void; fired: Promise<void> } {
  let resolve!: () => void;
  const fired = new Promise<void>((r) => (resolve = r));
  return {
    onExpire: () => {
      order.push(name);
      resolve();
    },
    fired,
  };
}

describe('Deadlines', () => {
  it('expires each deadline once, earliest first, whatever its duration', async () => {
    const deadlines = new Deadlines();
    const order: string[] = [];
    const a = expiry(order, 'a');
    const b = expiry(order, 'b');
    const c = expiry(order, 'c');
    deadlines.add(60, a.onExpire);
    deadlines.add(20, b.onExpire);
    deadlines.add(40, c.onExpire);
    await Promise.all([a.fired, b.fired, c.fired]);
    expect(order).toEqual(['b', 'c', 'a']);
    expect(deadlines.size).toBe(0);
  });

  it('never expires a cancelled deadline', async () => {
    const deadlines = new Deadlines();
    const order: string[] = [];
    const cancelled = expiry(order, 'cancelled');
    const kept = expiry(order, 'kept');
    deadlines.add(10, cancelled.onExpire).cancel();
    deadlines.add(30, kept.onExpire);
    await kept.fired;
    expect(order).toEqual(['kept']);
  });

  it('keeps nothing of the deadlines cancelled before they were due', () => {
    const deadlines = new Deadlines();
    for (let i = 0; i < 1_000; i += 1) deadlines.add(60_000, () => expect.unreachable()).cancel();
    const kept = deadlines.add(60_000, () => expect.unreachable());
    expect(deadlines.size).toBe(1);
    kept.cancel();
    kept.cancel();
    expect(deadlines.size).toBe(0);
  });

  it('arms itself earlier for a deadline earlier than every other', async () => {
    const deadlines = new Deadlines();
    const order: string[] = [];
    const late = expiry(order, 'late');
    const early = expiry(order, 'early');
    const started = performance.now();
    const lateDeadline = deadlines.add(60_000, late.onExpire);
    deadlines.add(20, early.onExpire);
    await early.fired;
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(order).toEqual(['early']);
    lateDeadline.cancel();
  });

  it('expires a deadline added while others expire', async () => {
    const deadlines = new Deadlines();
    const order: string[] = [];
    const second = expiry(order, 'second');
    deadlines.add(10, () => {
      order.push('first');
      deadlines.add(10, second.onExpire);
    });
    await second.fired;
    expect(order).toEqual(['first', 'second']);
  });

  it('waits for the clock, not for a timer that fired before the deadline', async () => {
    let skew = 0;
    const deadlines = new Deadlines(() => performance.now() + skew);
    const order: string[] = [];
    const one = expiry(order, 'one');
    const started = performance.now();
    deadlines.add(10, one.onExpire);
    // The clock now runs 30 ms behind the timer that was armed for it: its first firing finds nothing due.
    skew = -30;
    await one.fired;
    expect(performance.now() - started).toBeGreaterThanOrEqual(40);
    expect(order).toEqual(['one']);
  });

  it('lets a response that arrived while the loop was held up past a deadline be read before the deadline expires', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    const [[accepted]] = await Promise.all([once(server, 'connection') as Promise<[Socket]>, once(client, 'connect')]);
    try {
      const deadlines = new Deadlines();
      const order: string[] = [];
      const answered = deadlines.add(10, () => order.push('answered: expired'));
      const unanswered = expiry(order, 'unanswered: expired');
      deadlines.add(10, unanswered.onExpire);
      accepted.on('data', () => {
        order.push('response read');
        answered.cancel();
      });
      // The response is in the socket in time; then the loop is held up past both deadlines (a compaction, say).
      client.write('head');
      const blocked = performance.now();
      while (performance.now() - blocked < 40);
      await unanswered.fired;
      await nextLoopTurn();
      expect(order).toEqual(['response read', 'unanswered: expired']);
    } finally {
      client.destroy();
      server.close();
    }
  });
});
