import type { HttpRequest } from '@mono/contracts';
import type { MuxClient } from '@mono/transport';

/**
 * Round-robin over the gateway instances (nginx's default), with passive health: an instance whose stream failed
 * within `failTimeoutMs` is skipped while another is up; when none is, the one that failed longest ago is tried.
 */
export class Balancer {
  readonly #upstreams: readonly MuxClient<HttpRequest>[];
  readonly #failTimeoutMs: number;
  #next = 0;

  constructor(upstreams: readonly MuxClient<HttpRequest>[], failTimeoutMs: number) {
    if (upstreams.length === 0) throw new Error('edge: no gateway configured');
    this.#upstreams = upstreams;
    this.#failTimeoutMs = failTimeoutMs;
  }

  get upstreams(): readonly MuxClient<HttpRequest>[] {
    return this.#upstreams;
  }

  /** The next instance to try, other than those in `tried`; undefined when all were tried. */
  pick(tried?: ReadonlySet<MuxClient<HttpRequest>>): MuxClient<HttpRequest> | undefined {
    const now = Date.now();
    let fallback: MuxClient<HttpRequest> | undefined;
    for (let n = 0; n < this.#upstreams.length; n += 1) {
      const upstream = this.#upstreams[(this.#next + n) % this.#upstreams.length] as MuxClient<HttpRequest>;
      if (tried?.has(upstream)) continue;
      if (now - upstream.lastFailure >= this.#failTimeoutMs) {
        this.#next = (this.#next + n + 1) % this.#upstreams.length;
        return upstream;
      }
      if (fallback === undefined || upstream.lastFailure < fallback.lastFailure) fallback = upstream;
    }
    return fallback;
  }
}
