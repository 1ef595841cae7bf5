import { describe, expect, it } from 'vitest';
import type { EdgeSnapshot } from './edge-state';
import { mergeSnapshots } from './merge-snapshots';

function snapshot(requests: number, overrides: Partial<EdgeSnapshot> = {}): EdgeSnapshot {
  return {
    ready: true,
    draining: false,
    requests,
    sampled: 2,
    inFlight: 1,
    connections: { open: 3, parked: 1, http2: 0 },
    byStatus: { '200': requests },
    cancelled: 0,
    deadlineExpiries: 0,
    retries: 1,
    ejections: 0,
    pools: {
      gateways: {
        members: [{ address: 'a:1', state: 'up', outstanding: 1, requests, failures: 0, health: 'SERVING' }],
        retries: 1,
        retriesByReason: { unavailable: 1 },
        ejections: 0,
      },
    },
    ...overrides,
  };
}

describe('mergeSnapshots', () => {
  it("should add up every process's counters, keeping the first one's readiness and gateway states", () => {
    const first = snapshot(10, { draining: true });
    const other = snapshot(5, { byStatus: { '200': 4, '502': 1 } });
    const total = mergeSnapshots(first, [other]);
    expect(total).toMatchObject({
      draining: true,
      requests: 15,
      sampled: 4,
      inFlight: 2,
      connections: { open: 6, parked: 2, http2: 0 },
      byStatus: { '200': 14, '502': 1 },
      retries: 2,
    });
    expect(total.pools['gateways']).toEqual({
      members: [{ address: 'a:1', state: 'up', outstanding: 2, requests: 15, failures: 0, health: 'SERVING' }],
      retries: 2,
      retriesByReason: { unavailable: 2 },
      ejections: 0,
    });
    // The inputs are left as they were.
    expect(first.requests).toBe(10);
    expect(first.pools['gateways']?.members[0]?.requests).toBe(10);
    expect(first.byStatus).toEqual({ '200': 10 });
  });

  it('should list a gateway only one process knows', () => {
    const other = snapshot(2);
    other.pools['gateways']?.members.push({
      address: 'b:2',
      state: 'ejected',
      outstanding: 0,
      requests: 2,
      failures: 1,
      health: '',
    });
    const total = mergeSnapshots(snapshot(1), [other]);
    expect(total.pools['gateways']?.members.map((m) => [m.address, m.requests])).toEqual([
      ['a:1', 3],
      ['b:2', 2],
    ]);
  });
});
