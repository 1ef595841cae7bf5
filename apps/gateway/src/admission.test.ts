import { describe, expect, it } from 'vitest';
import { Admission, type Ticket } from './admission';

describe('Admission', () => {
  it('should admit up to the limit, queue the next ones in order, and refuse past the queue', () => {
    const admission = new Admission(2, 1);
    const tickets: Ticket[] = [];
    const order: number[] = [];
    for (const n of [1, 2, 3]) admission.enter((t) => (tickets.push(t), order.push(n)));
    expect(order).toEqual([1, 2]);
    expect(admission.queued).toBe(1);
    expect(() => admission.enter(() => {})).toThrow(expect.objectContaining({ code: 'GW_ERR_OVERLOADED' }));
    tickets[0]?.release();
    expect(order).toEqual([1, 2, 3]);
    expect(admission.inFlight).toBe(2);
  });

  it('should let a queued request withdraw, and count a double release once', () => {
    const admission = new Admission(1, 5);
    let first!: Ticket;
    admission.enter((t) => (first = t));
    let admitted = false;
    const withdraw = admission.enter(() => (admitted = true));
    withdraw();
    first.release();
    first.release();
    expect(admitted).toBe(false);
    expect(admission.inFlight).toBe(0);
  });
});
