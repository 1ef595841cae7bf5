import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectionBalance, DRAINING } from './connection-balance';

let balance: ConnectionBalance | undefined;
let clock = 0;
let open = 0;
const reports: number[] = [];

function start(): ConnectionBalance {
  balance = new ConnectionBalance({
    open: () => open,
    report: (n) => reports.push(n),
    heartbeatMs: 250,
    reportDelayMs: 1,
    now: () => clock,
  });
  return balance;
}

/** Where the edge would send a new connection, counted there when it is passed on (as the edge does). */
function pass(b: ConnectionBalance): number | undefined {
  const to = b.destination();
  if (to !== undefined) b.passedTo(to);
  return to;
}

/** Where `count` new connections go, each one kept here counted here at once (as the edge does). */
function place(b: ConnectionBalance, count: number): Array<number | 'here'> {
  const places: Array<number | 'here'> = [];
  for (let i = 0; i < count; i++) {
    const to = b.destination();
    if (to === undefined) open += 1;
    else b.passedTo(to);
    places.push(to ?? 'here');
  }
  return places;
}

beforeEach(() => {
  vi.useFakeTimers();
  clock = 0;
  open = 0;
  reports.length = 0;
});
afterEach(() => {
  balance?.stop();
  balance = undefined;
  vi.useRealTimers();
});

describe('ConnectionBalance', () => {
  it('should keep every connection while it has heard from no other process', () => {
    const b = start();
    expect(place(b, 20).every((to) => to === 'here')).toBe(true);
  });

  it('should pass a burst on until both hold about as many, counting what is on its way', () => {
    const b = start();
    b.heard(1, 0, 0);
    const places = place(b, 40);
    const passed = places.filter((to) => to === 1).length;
    // The peer never reported in between: what was passed counts there all the same.
    expect(passed).toBeGreaterThanOrEqual(17);
    expect(open).toBeGreaterThanOrEqual(17);
    expect(Math.abs(open - passed)).toBeLessThanOrEqual(1 + (open >> 3) + 1);
  });

  it('should count a passed connection there until the peer says it took it', () => {
    const b = start();
    open = 10;
    b.heard(1, 4, 0);
    expect(pass(b)).toBe(1);
    expect(pass(b)).toBe(1);
    // It took both and holds them: 6, as counted.
    b.heard(1, 6, 2);
    expect(pass(b)).toBe(1);
    // It took the third, and two of its connections closed.
    b.heard(1, 5, 3);
    expect(pass(b)).toBe(1);
    b.heard(1, 8, 4);
    expect(pass(b)).toBeUndefined();
  });

  it('should leave alone a difference of up to one and an eighth of what it holds', () => {
    const b = start();
    open = 16;
    b.heard(1, 14, 0);
    expect(pass(b)).toBeUndefined();
    b.heard(1, 12, 0);
    expect(pass(b)).toBe(1);
  });

  it('should pass back, for half a heartbeat, only twice as many to a process that passed it a connection', () => {
    const b = start();
    open = 30;
    b.heard(1, 14, 0);
    b.took(1);
    expect(pass(b)).toBeUndefined();
    open = 31;
    expect(pass(b)).toBe(1);
    b.heard(1, 14, 0);
    b.took(1);
    open = 30;
    clock = 126;
    expect(pass(b)).toBe(1);
  });

  it('should say whether the next connection would be passed, without counting one', () => {
    const b = start();
    open = 3;
    expect(b.passing).toBe(false);
    b.heard(1, 1, 0);
    expect([b.passing, b.passing]).toEqual([true, true]);
    expect(pass(b)).toBe(1);
    // 3 against 2 now: within the line.
    expect(b.passing).toBe(false);
    expect(pass(b)).toBeUndefined();
  });

  it('should pass nothing while more connections closed here after less than a second, lately, than it holds', () => {
    const b = start();
    open = 10;
    b.heard(1, 0, 0);
    for (let i = 0; i < 30; i++) b.closed(5);
    expect(b.passing).toBe(false);
    // 30 closes a second ago count 11, two seconds ago 4.
    clock = 1_000;
    b.heard(1, 0, 0);
    expect(b.passing).toBe(false);
    clock = 2_000;
    b.heard(1, 0, 0);
    expect(pass(b)).toBe(1);
    // Connections that were open a second or more (a client's pool closing) are not turnover.
    for (let i = 0; i < 30; i++) b.closed(1_000);
    expect(pass(b)).toBe(1);
  });

  it('should count a connection there only once it was passed, and tell the others it drains when stopped', () => {
    const b = start();
    open = 3;
    b.heard(1, 0, 0);
    expect([b.destination(), b.destination(), b.destination()]).toEqual([1, 1, 1]);
    b.passedTo(1);
    b.passedTo(1);
    expect(b.destination()).toBeUndefined();
    b.stop();
    expect(reports).toEqual([DRAINING]);
    b.changed();
    vi.advanceTimersByTime(1_000);
    expect(reports).toEqual([DRAINING]);
  });

  it('should pass to the process holding the fewest', () => {
    const b = start();
    open = 30;
    b.heard(1, 20, 0);
    b.heard(2, 5, 0);
    b.heard(3, 12, 0);
    expect(pass(b)).toBe(2);
  });

  it('should give nothing to a process not heard from in four heartbeats, and start afresh with one it forgot', () => {
    const b = start();
    open = 30;
    b.heard(1, 0, 0);
    clock = 1_001;
    expect(pass(b)).toBeUndefined();
    b.heard(1, 0, 0);
    expect(pass(b)).toBe(1);
    // Gone (a worker exited): a new one of the same number has taken nothing yet.
    b.forget(1);
    b.heard(1, 0, 0);
    expect(pass(b)).toBe(1);
  });

  it('should report a burst of changes once, and its count on every heartbeat', () => {
    start();
    const b = balance as ConnectionBalance;
    open = 3;
    b.changed();
    b.changed();
    b.changed();
    expect(reports).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(reports).toEqual([3]);
    open = 2;
    vi.advanceTimersByTime(249);
    expect(reports).toEqual([3, 2]);
    vi.advanceTimersByTime(250);
    expect(reports).toEqual([3, 2, 2]);
  });

  it('should leave its count to the heartbeat while connections turn over faster than they stay', () => {
    const b = start();
    open = 10;
    for (let i = 0; i < 30; i++) b.closed(5);
    // The first closes are reported as any change is.
    vi.advanceTimersByTime(1);
    expect(reports).toEqual([10]);
    b.closed(5);
    b.changed();
    vi.advanceTimersByTime(248);
    expect(reports).toEqual([10]);
    vi.advanceTimersByTime(1);
    expect(reports).toEqual([10, 10]);
  });

  it('should report at once when asked, and not once stopped', () => {
    const b = start();
    open = 7;
    b.reportNow();
    expect(reports).toEqual([7]);
    b.stop();
    b.reportNow();
    expect(reports).toEqual([7, DRAINING]);
  });

  it('should tell a peer how many of its connections it took', () => {
    const b = start();
    b.took(1);
    b.took(1);
    b.took(2);
    expect([b.takenFrom(1), b.takenFrom(2), b.takenFrom(3)]).toEqual([2, 1, 0]);
    vi.advanceTimersByTime(1);
    expect(reports).toEqual([0]);
  });
});
