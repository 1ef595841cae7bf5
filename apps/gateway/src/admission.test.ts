import { describe, expect, it } from 'vitest';
import { Admission, type Ticket } from './admission';

describe('Admission', () => {
  it('should admit up to the limit, queue the next ones in order, and refuse past the queue', () => {
    const admission = new Admission(2, 2);
    const first = admission.take() as Ticket;
    expect(admission.take()).toBeDefined();
    expect(admission.take()).toBeUndefined();
    const order: number[] = [];
    for (const n of [3, 4]) admission.wait(() => order.push(n));
    expect(admission.queued).toBe(2);
    expect(() => admission.wait(() => {})).toThrow(expect.objectContaining({ code: 'GW_ERR_OVERLOADED' }));
    first.release();
    expect(order).toEqual([3]);
    expect(admission.inFlight).toBe(2);
  });

  it('should let a queued request withdraw, and count a double release once', () => {
    const admission = new Admission(1, 5);
    const first = admission.take() as Ticket;
    let admitted = false;
    const withdraw = admission.wait(() => (admitted = true));
    withdraw();
    first.release();
    first.release();
    expect(admitted).toBe(false);
    expect(admission.inFlight).toBe(0);
  });

  it('should hand a freed slot to the first one waiting rather than to a newcomer', () => {
    const admission = new Admission(1, 5);
    const first = admission.take() as Ticket;
    let waiter: Ticket | undefined;
    admission.wait((ticket) => (waiter = ticket));
    first.release();
    expect(waiter).toBeDefined();
    expect(admission.take()).toBeUndefined();
    waiter?.release();
    expect(admission.take()).toBeDefined();
  });
});
