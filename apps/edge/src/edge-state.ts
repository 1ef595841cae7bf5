import type { HttpRequest } from '@mono/contracts';
import type { Pool, PoolStats } from '@mono/transport';

/** The edge's counters, as `/stats` shows them. */
export type EdgeSnapshot = {
  ready: boolean;
  draining: boolean;
  requests: number;
  /** Requests whose trace the edge sampled (their spans are exported). */
  sampled: number;
  inFlight: number;
  connections: { open: number; parked: number; http2: number };
  byStatus: Record<string, number>;
  cancelled: number;
  deadlineExpiries: number;
  retries: number;
  ejections: number;
  pools: Record<string, PoolStats>;
};

/**
 * What the edge knows about itself beyond one request: whether it drains, whether the stack behind it has served
 * (until then requests get 503 + Retry-After: 1, never 502), and its counters for `/stats`.
 */
export class EdgeState {
  draining = false;
  /** The stack has been ready once: a gateway served, and it had a framework that served. */
  ready = false;
  requests = 0;
  sampled = 0;
  inFlight = 0;
  readonly byStatus: Record<string, number> = {};
  /** Client connections: open, parked (idle keep-alive ones holding no parser), HTTP/2 (app.ts sets it). */
  connections: () => { open: number; parked: number; http2: number } = () => ({ open: 0, parked: 0, http2: 0 });
  readonly #pools: Readonly<Record<string, Pool<HttpRequest>>>;

  constructor(pools: Readonly<Record<string, Pool<HttpRequest>>>) {
    this.#pools = pools;
  }

  get pools(): Readonly<Record<string, Pool<HttpRequest>>> {
    return this.#pools;
  }

  /** A request is over with `status` (499 when the client left first). */
  finished(status: number): void {
    this.inFlight -= 1;
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
  }

  snapshot(): EdgeSnapshot {
    const pools: Record<string, PoolStats> = {};
    for (const [name, pool] of Object.entries(this.#pools)) pools[name] = pool.stats();
    return {
      ready: this.ready && !this.draining,
      draining: this.draining,
      requests: this.requests,
      sampled: this.sampled,
      inFlight: this.inFlight,
      connections: this.connections(),
      byStatus: this.byStatus,
      cancelled: this.byStatus['499'] ?? 0,
      deadlineExpiries: this.byStatus['504'] ?? 0,
      retries: Object.values(pools).reduce((sum, p) => sum + p.retries, 0),
      ejections: Object.values(pools).reduce((sum, p) => sum + p.ejections, 0),
      pools,
    };
  }
}
