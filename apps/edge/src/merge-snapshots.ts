import type { PoolStats } from '@mono/transport';
import type { EdgeSnapshot } from './edge-state';

/**
 * The counters of several edge processes as one, as a single process would show them: requests, sampled traces,
 * statuses, connections and each pool's retries, ejections and per-gateway requests summed. Readiness, draining and
 * each gateway's state are the first snapshot's (the primary's): every process watches every gateway's health itself.
 */
export function mergeSnapshots(first: EdgeSnapshot, others: readonly EdgeSnapshot[]): EdgeSnapshot {
  const total: EdgeSnapshot = {
    ...first,
    connections: { ...first.connections },
    byStatus: { ...first.byStatus },
    pools: Object.fromEntries(Object.entries(first.pools).map(([name, pool]) => [name, copyPool(pool)])),
  };
  for (const s of others) {
    total.requests += s.requests;
    total.sampled += s.sampled;
    total.inFlight += s.inFlight;
    total.cancelled += s.cancelled;
    total.deadlineExpiries += s.deadlineExpiries;
    total.retries += s.retries;
    total.ejections += s.ejections;
    total.connections.open += s.connections.open;
    total.connections.parked += s.connections.parked;
    total.connections.http2 += s.connections.http2;
    addCounts(total.byStatus, s.byStatus);
    for (const [name, pool] of Object.entries(s.pools)) {
      const into = total.pools[name];
      if (into === undefined) total.pools[name] = copyPool(pool);
      else addPool(into, pool);
    }
  }
  return total;
}

function copyPool(pool: PoolStats): PoolStats {
  return {
    ...pool,
    members: pool.members.map((member) => ({ ...member })),
    retriesByReason: { ...pool.retriesByReason },
  };
}

function addPool(into: PoolStats, pool: PoolStats): void {
  into.retries += pool.retries;
  into.ejections += pool.ejections;
  addCounts(into.retriesByReason, pool.retriesByReason);
  for (const member of pool.members) {
    const same = into.members.find((m) => m.address === member.address);
    if (same === undefined) {
      into.members.push({ ...member });
      continue;
    }
    same.outstanding += member.outstanding;
    same.requests += member.requests;
    same.failures += member.failures;
  }
}

function addCounts(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n;
}
