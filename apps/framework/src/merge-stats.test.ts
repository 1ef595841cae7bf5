import { describe, expect, it } from 'vitest';
import type { FrameworkSnapshot } from './framework-stats';
import { mergeSnapshots } from './merge-stats';

function snapshot(requests: number, max: number, source: string): FrameworkSnapshot {
  return {
    requests,
    inFlight: 1,
    byStatus: { '200': requests - 1, '500': 1 },
    cancelled: 0,
    unknownApplication: 0,
    applications: {
      default: {
        source,
        requests,
        inFlight: 1,
        byStatus: { '200': requests - 1, '500': 1 },
        cancelled: 0,
        durationMs: { count: requests, sum: requests * 2, max },
      },
    },
  };
}

describe('mergeSnapshots', () => {
  it('should add up counters, keep the longest duration and the newest source', () => {
    expect(mergeSnapshots([snapshot(10, 40, 'old.cjs:app'), snapshot(4, 7, 'new.cjs:app')])).toEqual({
      requests: 14,
      inFlight: 2,
      byStatus: { '200': 12, '500': 2 },
      cancelled: 0,
      unknownApplication: 0,
      applications: {
        default: {
          source: 'new.cjs:app',
          requests: 14,
          inFlight: 2,
          byStatus: { '200': 12, '500': 2 },
          cancelled: 0,
          durationMs: { count: 14, sum: 28, max: 40 },
        },
      },
    });
  });
});
