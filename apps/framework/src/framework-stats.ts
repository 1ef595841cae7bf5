import type { ApplicationSnapshot, Outcome } from './application-stats';
import type { ApplicationTable, HostedEntry } from './application-table';
import type { FrameworkMetrics } from './framework-metrics';

/** What `/stats` shows of one framework process. */
export type FrameworkSnapshot = {
  requests: number;
  inFlight: number;
  byStatus: Record<string, number>;
  cancelled: number;
  /** Requests for an application not hosted here (FW_ERR_NO_APPLICATION). */
  unknownApplication: number;
  applications: Record<string, ApplicationSnapshot & { source: string | undefined }>;
};

/** The framework's counters, whole and per application, and where each finished request is measured. */
export class FrameworkStats {
  requests = 0;
  unknownApplication = 0;
  readonly #table: ApplicationTable;
  readonly #metrics: FrameworkMetrics;

  constructor(table: ApplicationTable, metrics: FrameworkMetrics) {
    this.#table = table;
    this.#metrics = metrics;
  }

  /** A request for `entry` is over, `ms` after it arrived. */
  done(entry: HostedEntry, outcome: Outcome, grpcStatus: string, ms: number): void {
    entry.stats.end(outcome, ms);
    this.#metrics.done(entry.name, outcome, grpcStatus, ms / 1_000);
  }

  snapshot(): FrameworkSnapshot {
    const byStatus: Record<string, number> = {};
    const applications: FrameworkSnapshot['applications'] = {};
    let inFlight = 0;
    let cancelled = 0;
    for (const entry of this.#table.entries) {
      const app = entry.stats.snapshot();
      applications[entry.name] = { source: entry.source, ...app };
      inFlight += app.inFlight;
      cancelled += app.cancelled;
      for (const [status, n] of Object.entries(app.byStatus)) byStatus[status] = (byStatus[status] ?? 0) + n;
    }
    if (this.unknownApplication > 0) byStatus['404'] = (byStatus['404'] ?? 0) + this.unknownApplication;
    return {
      requests: this.requests,
      inFlight,
      byStatus,
      cancelled,
      unknownApplication: this.unknownApplication,
      applications,
    };
  }
}
