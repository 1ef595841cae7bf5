import type { Limit, Limits } from '@mono/contracts';
import { describe, expect, it } from 'vitest';
import {
  describeLimit,
  describeMismatch,
  formatLimit,
  limitMismatches,
  namedBy,
  noLimits,
  sameLimits,
  smallestLimits,
} from './hop-limits';

function limit(value: number, setting: string, variable = '', origin = ''): Limit {
  return { value, setting, variable, origin };
}

const gateway: Limits = {
  ...noLimits(),
  headerBytes: limit(65_536, 'gateway.yaml limits.headers', 'GATEWAY_MAX_HEADER_BYTES'),
  idleTimeoutMs: limit(60_000, 'gateway.yaml timeouts.idle', 'GATEWAY_IDLE_TIMEOUT_MS'),
};
const framework: Limits = {
  ...noLimits(),
  headerBytes: limit(8_192, 'framework.yaml limits.headers', 'FRAMEWORK_MAX_HEADER_BYTES', 'framework 10.0.0.1:50061'),
  bodyBytes: limit(65_536, 'framework.yaml limits.body', 'FRAMEWORK_MAX_BODY_BYTES', 'framework 10.0.0.1:50061'),
  idleTimeoutMs: limit(0, 'framework.yaml nothing'),
};

describe('smallestLimits', () => {
  it('should take each limit from whoever sets it lowest, 0 and absent counting as none', () => {
    const smallest = smallestLimits([gateway, undefined, framework]);
    expect(smallest.headerBytes).toBe(framework.headerBytes);
    expect(smallest.bodyBytes).toBe(framework.bodyBytes);
    expect(smallest.idleTimeoutMs).toBe(gateway.idleTimeoutMs);
    expect(smallest.headTimeoutMs).toBeUndefined();
  });

  it('should be no limits at all for nothing', () => {
    expect(sameLimits(smallestLimits([]), noLimits())).toBe(true);
  });
});

describe('namedBy', () => {
  it("should name the upstream's own limits by its instance and those it passed on as behind it", () => {
    const named = namedBy(smallestLimits([gateway, framework]), 'gateway 10.0.0.2:50051');
    expect(named.idleTimeoutMs?.origin).toBe('gateway 10.0.0.2:50051');
    expect(named.bodyBytes?.origin).toBe('framework 10.0.0.1:50061 behind gateway 10.0.0.2:50051');
    expect(named.headTimeoutMs).toBeUndefined();
  });
});

describe('limitMismatches', () => {
  it('should find each limit the outer layer sets higher than the inner one, or not at all', () => {
    const edge: Limits = {
      ...noLimits(),
      headerBytes: limit(16_384, 'edge.yaml client.maxHeaderBytes', 'EDGE_MAX_HEADER_BYTES'),
      bodyBytes: limit(0, 'edge.yaml locations[/echo].limits.body'),
      idleTimeoutMs: limit(60_000, 'edge.yaml timeouts.idle', 'EDGE_UPSTREAM_IDLE_TIMEOUT_MS'),
    };
    const found = limitMismatches(edge, smallestLimits([gateway, framework]));
    expect(found.map((m) => [m.name, m.outer.value, m.inner.value])).toEqual([
      ['headerBytes', 16_384, 8_192],
      ['bodyBytes', 0, 65_536],
    ]);
  });

  it('should find none where the inner layer accepts as much or more', () => {
    const edge: Limits = {
      ...noLimits(),
      headerBytes: limit(16_384, 'edge.yaml client.maxHeaderBytes'),
      bodyBytes: limit(1 << 20, 'edge.yaml limits.body'),
      idleTimeoutMs: limit(60_000, 'edge.yaml timeouts.idle'),
    };
    expect(limitMismatches(edge, gateway)).toEqual([]);
  });
});

describe('describing limits', () => {
  it('should write values as the configuration files do', () => {
    expect(['off', '1500B', '64KiB', '1MiB', '2GiB']).toEqual(
      [0, 1_500, 65_536, 1 << 20, 2 ** 31].map((v) => formatLimit('bodyBytes', v)),
    );
    expect(['250ms', '60s', '2m', '1h']).toEqual(
      [250, 60_000, 120_000, 3_600_000].map((v) => formatLimit('idleTimeoutMs', v)),
    );
  });

  it('should name the setting, its value and its variable', () => {
    expect(describeLimit('bodyBytes', framework.bodyBytes as Limit)).toBe(
      'framework.yaml limits.body 64KiB (FRAMEWORK_MAX_BODY_BYTES)',
    );
    expect(describeLimit('bodyBytes', limit(0, 'edge.yaml locations[/echo].limits.body'))).toBe(
      'edge.yaml locations[/echo].limits.body off',
    );
  });

  it('should say in one line both values, both settings, who applies the inner one and what a request beyond gets', () => {
    const outer = limit(1 << 20, 'edge.yaml limits.body', 'EDGE_MAX_BODY_BYTES');
    const inner = {
      ...(framework.bodyBytes as Limit),
      origin: 'framework 10.0.0.1:50061 behind gateway 10.0.0.2:50051',
    };
    expect(describeMismatch({ name: 'bodyBytes', outer, inner }, 'the edge')).toBe(
      'edge.yaml limits.body 1MiB (EDGE_MAX_BODY_BYTES) accepts more than framework.yaml limits.body 64KiB ' +
        '(FRAMEWORK_MAX_BODY_BYTES) of framework 10.0.0.1:50061 behind gateway 10.0.0.2:50051: bodies over 64KiB get ' +
        '413 from the edge',
    );
    const idle = describeMismatch(
      {
        name: 'idleTimeoutMs',
        outer: limit(60_000, 'edge.yaml timeouts.idle', 'EDGE_UPSTREAM_IDLE_TIMEOUT_MS'),
        inner: limit(30_000, 'gateway.yaml timeouts.idle', 'GATEWAY_IDLE_TIMEOUT_MS', 'gateway 10.0.0.2:50051'),
      },
      'the edge',
    );
    expect(idle).toBe(
      'edge.yaml timeouts.idle 60s (EDGE_UPSTREAM_IDLE_TIMEOUT_MS) waits longer than gateway.yaml timeouts.idle 30s ' +
        '(GATEWAY_IDLE_TIMEOUT_MS) of gateway 10.0.0.2:50051: a body that pauses for longer than 30s gets 504',
    );
  });
});
