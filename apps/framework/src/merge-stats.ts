import type { ApplicationSnapshot } from './application-stats';
import type { FrameworkSnapshot } from './framework-stats';

/**
 * The counters of several framework processes as one: what the live workers report and what finished ones served.
 * Sums, but the longest duration is the longest of all.
 */
export function mergeSnapshots(snapshots: readonly FrameworkSnapshot[]): FrameworkSnapshot {
  const total: FrameworkSnapshot = {
    requests: 0,
    inFlight: 0,
    byStatus: {},
    cancelled: 0,
    unknownApplication: 0,
    applications: {},
  };
  for (const s of snapshots) {
    total.requests += s.requests;
    total.inFlight += s.inFlight;
    total.cancelled += s.cancelled;
    total.unknownApplication += s.unknownApplication;
    addCounts(total.byStatus, s.byStatus);
    for (const [name, app] of Object.entries(s.applications)) {
      const into = (total.applications[name] ??= { ...emptyApplication(), source: app.source });
      into.source = app.source;
      addApplication(into, app);
    }
  }
  return total;
}

function emptyApplication(): ApplicationSnapshot {
  return { requests: 0, inFlight: 0, byStatus: {}, cancelled: 0, durationMs: { count: 0, sum: 0, max: 0 } };
}

function addApplication(into: ApplicationSnapshot, app: ApplicationSnapshot): void {
  into.requests += app.requests;
  into.inFlight += app.inFlight;
  into.cancelled += app.cancelled;
  addCounts(into.byStatus, app.byStatus);
  into.durationMs.count += app.durationMs.count;
  into.durationMs.sum += app.durationMs.sum;
  into.durationMs.max = Math.max(into.durationMs.max, app.durationMs.max);
}

function addCounts(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n;
}
