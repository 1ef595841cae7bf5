import { metrics } from '@opentelemetry/api';
import { ATTR_MONO_POOL_MEMBER_STATE, ATTR_MONO_POOL_NAME, ATTR_MONO_RETRY_REASON } from '@mono/telemetry';
import type { PoolStats } from './pool';
import type { MemberState } from './pool-member';

const STATES: readonly MemberState[] = ['up', 'trial', 'ejected', 'draining', 'removed'];

/**
 * A service's pools as OpenTelemetry metrics, read when metrics are collected (nothing on the request path):
 * `mono.pool.members` by pool and state, `mono.pool.outstanding` (requests on the members' streams),
 * `mono.pool.retries` and `mono.pool.ejections`.
 *
 * @example
 * observePools('edge', { gateways: pool });
 */
export function observePools(service: string, pools: Readonly<Record<string, { stats(): PoolStats }>>): void {
  const meter = metrics.getMeter(service);
  const members = meter.createObservableGauge('mono.pool.members', {
    description: 'Instances of each pool, by how they stand',
    unit: '{instance}',
  });
  const outstanding = meter.createObservableGauge('mono.pool.outstanding', {
    description: "Requests in flight on a pool's members",
    unit: '{request}',
  });
  const retries = meter.createObservableCounter('mono.pool.retries', {
    description: 'Requests sent to another member after a failure that could not have run them twice',
    unit: '{request}',
  });
  const ejections = meter.createObservableCounter('mono.pool.ejections', {
    description: 'Members taken out by passive health (failures within fail_timeout)',
    unit: '{ejection}',
  });
  meter.addBatchObservableCallback(
    (observer) => {
      for (const [name, pool] of Object.entries(pools)) {
        const stats = pool.stats();
        const pooled = { [ATTR_MONO_POOL_NAME]: name };
        for (const state of STATES) {
          const count = stats.members.filter((m) => m.state === state).length;
          observer.observe(members, count, { ...pooled, [ATTR_MONO_POOL_MEMBER_STATE]: state });
        }
        observer.observe(
          outstanding,
          stats.members.reduce((sum, m) => sum + m.outstanding, 0),
          pooled,
        );
        for (const [reason, count] of Object.entries(stats.retriesByReason)) {
          observer.observe(retries, count, { ...pooled, [ATTR_MONO_RETRY_REASON]: reason });
        }
        observer.observe(ejections, stats.ejections, pooled);
      }
    },
    [members, outstanding, retries, ejections],
  );
}
