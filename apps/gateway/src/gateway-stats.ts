import type { Pool, PoolStats, RequestLimits } from '@mono/transport';
import type { ForwardedEnviron } from '@mono/contracts';
import type { Admission } from './admission';

/** One mount as the gateway serves it: its path (SCRIPT_NAME), its framework pool, its admission, its limits. */
export interface Mount {
  readonly path: string;
  readonly poolName: string;
  readonly pool: Pool<ForwardedEnviron>;
  /** The application at the framework that serves it; "" is the framework's default one. */
  readonly app: string;
  readonly admission: Admission;
  /** The head and body limits its requests are held to: the gateway's own, or its pool's frameworks' if smaller. */
  readonly limits: RequestLimits;
}

/** What happened to one request, counted once when it is over. */
export type Outcome = number | 'cancelled';

/** One mount's counters: requests that reached it, how those that are over ended, and how long they took. */
class MountCounters {
  requests = 0;
  cancelled = 0;
  readonly byStatus: Record<string, number> = {};
  count = 0;
  sumMs = 0;
  maxMs = 0;

  end(outcome: Outcome, ms: number): void {
    if (outcome === 'cancelled') this.cancelled += 1;
    else this.byStatus[outcome] = (this.byStatus[outcome] ?? 0) + 1;
    this.count += 1;
    this.sumMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }
}

/**
 * The gateway's counters for `/stats` (and SIGUSR2): requests by status, cancellations, timeouts; per mount its
 * requests, their statuses and durations, what is in flight and queued; per pool how every member stands.
 */
export class GatewayStats {
  requests = 0;
  readonly byStatus: Record<string, number> = {};
  cancelled = 0;
  readonly #mounts: readonly Mount[];
  readonly #pools: Readonly<Record<string, Pool<ForwardedEnviron>>>;
  readonly #byMount = new Map<Mount, MountCounters>();

  constructor(mounts: readonly Mount[], pools: Readonly<Record<string, Pool<ForwardedEnviron>>>) {
    this.#mounts = mounts;
    this.#pools = pools;
    for (const mount of mounts) this.#byMount.set(mount, new MountCounters());
  }

  /** A request reached `mount` (its environ is built). */
  arrived(mount: Mount): void {
    (this.#byMount.get(mount) as MountCounters).requests += 1;
  }

  /** A request is over, `ms` after it reached the gateway; `mount` undefined when it never had one (400, 404). */
  finished(outcome: Outcome, mount: Mount | undefined, ms: number): void {
    if (outcome === 'cancelled') this.cancelled += 1;
    else this.byStatus[outcome] = (this.byStatus[outcome] ?? 0) + 1;
    if (mount !== undefined) this.#byMount.get(mount)?.end(outcome, ms);
  }

  snapshot() {
    const pools: Record<string, PoolStats> = {};
    for (const [name, pool] of Object.entries(this.#pools)) pools[name] = pool.stats();
    return {
      requests: this.requests,
      inFlight: this.#mounts.reduce((sum, m) => sum + m.admission.inFlight, 0),
      queued: this.#mounts.reduce((sum, m) => sum + m.admission.queued, 0),
      byStatus: this.byStatus,
      cancelled: this.cancelled,
      deadlineExpiries: (this.byStatus['504'] ?? 0) as number,
      retries: Object.values(pools).reduce((sum, p) => sum + p.retries, 0),
      ejections: Object.values(pools).reduce((sum, p) => sum + p.ejections, 0),
      mounts: this.#mounts.map((m) => {
        const counters = this.#byMount.get(m) as MountCounters;
        return {
          path: m.path === '' ? '/' : m.path,
          pool: m.poolName,
          app: m.app,
          requests: counters.requests,
          inFlight: m.admission.inFlight,
          queued: m.admission.queued,
          byStatus: { ...counters.byStatus },
          cancelled: counters.cancelled,
          durationMs: {
            count: counters.count,
            sum: Math.round(counters.sumMs),
            max: Math.round(counters.maxMs),
          },
          limits: m.admission.limits,
        };
      }),
      pools,
    };
  }
}
