/** How a request ended, as counted: its HTTP status, or 'cancelled' when the gateway gave up on it. */
export type Outcome = number | 'cancelled';

/** One application's counters for `/stats` (uWSGI's per-app `requests`, nginx's per-status counts). */
export type ApplicationSnapshot = {
  requests: number;
  inFlight: number;
  byStatus: Record<string, number>;
  cancelled: number;
  /** Durations of the requests that are over, from their first frame to their last. */
  durationMs: { count: number; sum: number; max: number };
};

/** The counters of one application, kept by the requests themselves as they begin and end. */
export class ApplicationStats {
  requests = 0;
  inFlight = 0;
  cancelled = 0;
  readonly byStatus: Record<string, number> = {};
  #count = 0;
  #sumMs = 0;
  #maxMs = 0;

  begin(): void {
    this.requests += 1;
    this.inFlight += 1;
  }

  end(outcome: Outcome, ms: number): void {
    this.inFlight -= 1;
    if (outcome === 'cancelled') this.cancelled += 1;
    else this.byStatus[outcome] = (this.byStatus[outcome] ?? 0) + 1;
    this.#count += 1;
    this.#sumMs += ms;
    if (ms > this.#maxMs) this.#maxMs = ms;
  }

  snapshot(): ApplicationSnapshot {
    return {
      requests: this.requests,
      inFlight: this.inFlight,
      byStatus: { ...this.byStatus },
      cancelled: this.cancelled,
      durationMs: { count: this.#count, sum: Math.round(this.#sumMs), max: Math.round(this.#maxMs) },
    };
  }
}
