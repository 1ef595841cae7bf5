import type { AppError } from '@mono/errors';
import { describe, expect, it } from 'vitest';
import { Admission, type Ticket } from './admission';

const never = () => {
  throw new Error('not expected');
};

describe('Admission', () => {
  it('should admit up to the limit, queue the next ones in order, and refuse past the queue as not accepted', () => {
    const admission = new Admission({ maxInFlight: 2, maxQueue: 2, maxWaitMs: 0 });
    const first = admission.take() as Ticket;
    expect(admission.take()).toBeDefined();
    expect(admission.take()).toBeUndefined();
    const order: number[] = [];
    for (const n of [3, 4]) admission.wait(() => order.push(n), never);
    expect(admission.queued).toBe(2);
    expect(() => admission.wait(never, never)).toThrow(
      expect.objectContaining({ code: 'GW_ERR_OVERLOADED', notAccepted: true }),
    );
    first.release();
    expect(order).toEqual([3]);
    expect(admission.inFlight).toBe(2);
  });

  it('should let a queued request withdraw, and count a double release once', () => {
    const admission = new Admission({ maxInFlight: 1, maxQueue: 5, maxWaitMs: 0 });
    const first = admission.take() as Ticket;
    let admitted = false;
    const withdraw = admission.wait(() => (admitted = true), never);
    withdraw();
    first.release();
    first.release();
    expect(admitted).toBe(false);
    expect(admission.inFlight).toBe(0);
  });

  it('should hand a freed slot to the first one waiting rather than to a newcomer', () => {
    const admission = new Admission({ maxInFlight: 1, maxQueue: 5, maxWaitMs: 0 });
    const first = admission.take() as Ticket;
    let waiter: Ticket | undefined;
    admission.wait((ticket) => (waiter = ticket), never);
    first.release();
    expect(waiter).toBeDefined();
    expect(admission.take()).toBeUndefined();
    waiter?.release();
    expect(admission.take()).toBeDefined();
  });

  it('should refuse a request that waited longer than its limit, as not accepted, in order', async () => {
    const admission = new Admission({ maxInFlight: 1, maxQueue: 5, maxWaitMs: 50 });
    admission.take();
    const refusals: Array<{ n: number; err: AppError }> = [];
    const both = new Promise<void>((resolve) => {
      for (const n of [1, 2]) {
        admission.wait(never, (err) => {
          refusals.push({ n, err });
          if (refusals.length === 2) resolve();
        });
      }
    });
    const started = performance.now();
    await both;
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(refusals.map(({ n, err }) => [n, err.code, err.notAccepted])).toEqual([
      [1, 'GW_ERR_QUEUE_TIMEOUT', true],
      [2, 'GW_ERR_QUEUE_TIMEOUT', true],
    ]);
    expect(admission.queued).toBe(0);
  });
});
