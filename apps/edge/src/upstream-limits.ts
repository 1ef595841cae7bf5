import type { Limits } from '@mono/contracts';
import type { Logger } from '@mono/telemetry';
import { describeLimit, describeMismatch, limitMismatches, noLimits, RequestLimits } from '@mono/transport';
import type { EdgeConfig, LocationConfig } from './config';

interface Location {
  readonly config: LocationConfig;
  /** What the edge accepts at this location, to compare with what its pool's gateways accept. */
  readonly outer: Limits;
  /** What its requests are held to: its own body limit, or the smaller limits its pool's gateways announced. */
  readonly limits: RequestLimits;
  /** What was last logged about it, so that a change is logged once (undefined: nothing heard yet). */
  logged: string | undefined;
}

/**
 * The limits of the layers behind each location (docs/adr/0014-limits-that-agree.md). When a pool's gateways announce
 * what they and their frameworks accept, every location on that pool applies it where it is smaller than its own —
 * the edge refuses a request they would refuse, with 413 or 431 naming their limit — and each limit the location
 * accepts more of (the edge's header limit, the location's body limit, head and idle timeouts) is logged, naming both
 * values and both settings, once per change; that they agree is logged when first heard and when it becomes so.
 *
 * @example
 * const upstream = new UpstreamLimits(config, log);
 * pool.events.onLimits = (limits) => upstream.poolChanged('gateways', limits);
 * const limits = upstream.of(location); // in the limits stage
 */
export class UpstreamLimits {
  readonly #locations = new Map<LocationConfig, Location>();
  readonly #log: Logger;

  constructor(config: Pick<EdgeConfig, 'locations' | 'maxHeaderBytes'>, log: Logger) {
    this.#log = log;
    for (const location of config.locations) {
      const { body, head, idle } = location.limitSettings;
      const bodyBytes = { value: location.maxBodyBytes, ...body, origin: '' };
      const outer: Limits = {
        headerBytes: {
          value: config.maxHeaderBytes,
          setting: 'edge.yaml client.maxHeaderBytes',
          variable: 'EDGE_MAX_HEADER_BYTES',
          origin: '',
        },
        bodyBytes,
        headTimeoutMs: { value: location.headTimeoutMs, ...head, origin: '' },
        idleTimeoutMs: { value: location.idleTimeoutMs, ...idle, origin: '' },
      };
      // The edge's own header limit is its parser's (client.maxHeaderBytes, on the head as received); what it
      // holds a forwarded head to is only the gateways'.
      const limits = new RequestLimits(
        { ...noLimits(), bodyBytes },
        { headers: 'EDGE_ERR_HEADERS_TOO_LARGE', body: 'EDGE_ERR_BODY_TOO_LARGE' },
      );
      this.#locations.set(location, { config: location, outer, limits, logged: undefined });
    }
  }

  /** What a request at `location` is held to (one map lookup; the numbers are ready). */
  of(location: LocationConfig): RequestLimits {
    return (this.#locations.get(location) as Location).limits;
  }

  /** The gateways of pool `name` announced `inner`: the locations on it apply it, and disagreements are logged. */
  poolChanged(name: string, inner: Limits): void {
    for (const location of this.#locations.values()) {
      if (location.config.pool !== name || location.config.redirect !== undefined) continue;
      location.limits.update(inner);
      this.#report(name, location, inner);
    }
  }

  #report(pool: string, location: Location, inner: Limits): void {
    const path = location.config.path;
    const mismatches = limitMismatches(location.outer, inner);
    const lines = mismatches.map((m) => describeMismatch(m, 'the edge'));
    const key = lines.join('\n');
    if (location.logged === key) return;
    location.logged = key;
    if (mismatches.length === 0) {
      this.#log.info({ pool, location: path }, `location ${path}: the edge's limits agree with its gateways'`);
      return;
    }
    mismatches.forEach((m, i) =>
      this.#log.warn(
        {
          pool,
          location: path,
          limit: m.name,
          outer: describeLimit(m.name, m.outer),
          inner: describeLimit(m.name, m.inner),
          origin: m.inner.origin,
        },
        `limits disagree: location ${path}: ${lines[i] as string}`,
      ),
    );
  }
}
