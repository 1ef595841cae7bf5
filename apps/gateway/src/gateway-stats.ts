import type { Pool, PoolStats } from '@mono/transport';
import type { Environ } from '@mono/contracts';
import type { Admission } from './admission';

/** One mount as the gateway serves it: its path (SCRIPT_NAME), its framework pool, its admission. */
export interface Mount {
  readonly path: string;
  readonly poolName: string;
  readonly pool: Pool<Environ>;
  /** The application at the framework that serves it; "" is the framework's default one. */
  readonly app: string;
  readonly admission: Admission;
}

/** What happened to one request, counted once when it is over. */
export type Outcome = number | 'cancelled';

/**
 * The gateway's counters for `/stats` (and SIGUSR2): requests by status, cancellations, timeouts, and per mount and
 * pool what is in flight, queued, and how every member stands.
 */
export class GatewayStats {
  requests = 0;
  readonly byStatus: Record<string, number> = {};
  cancelled = 0;
  readonly #mounts: readonly Mount[];
  readonly #pools: Readonly<Record<string, Pool<Environ>>>;

  constructor(mounts: readonly Mount[], pools: Readonly<Record<string, Pool<Environ>>>) {
    this.#mounts = mounts;
    this.#pools = pools;
  }

  finished(outcome: Outcome): void {
    if (outcome === 'cancelled') this.cancelled += 1;
    else this.byStatus[outcome] = (this.byStatus[outcome] ?? 0) + 1;
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
      mounts: this.#mounts.map((m) => ({
        path: m.path === '' ? '/' : m.path,
        pool: m.poolName,
        app: m.app,
        inFlight: m.admission.inFlight,
        queued: m.admission.queued,
        limits: m.admission.limits,
      })),
      pools,
    };
  }
}
