import type { ForwardedEnviron, Limits } from '@mono/contracts';
import type { Logger } from '@mono/telemetry';
import {
  describeLimit,
  describeMismatch,
  limitMismatches,
  sameLimits,
  smallestLimits,
  type Pool,
} from '@mono/transport';
import type { Mount } from './gateway-stats';

/**
 * Keeps what the gateway accepts in step with its frameworks (docs/adr/0014-limits-that-agree.md). When a pool's
 * frameworks announce new limits, each mount on that pool applies the smaller of the gateway's own and theirs; every
 * limit of the gateway's own that is larger than theirs is logged, naming both values and both settings (once per
 * change; that they agree, when first heard and when it becomes so); and the edges are told the smallest of the gateway's and all its frameworks' (`announce`).
 */
export class LimitAgreement {
  readonly #own: Limits;
  readonly #mounts: readonly Mount[];
  readonly #pools: Readonly<Record<string, Pool<ForwardedEnviron>>>;
  readonly #log: Logger;
  /** What was last logged for each pool, so that a change is logged once. */
  readonly #logged = new Map<string, string>();
  #announced: Limits;
  #announce: ((limits: Limits) => void) | undefined;

  constructor(
    own: Limits,
    mounts: readonly Mount[],
    pools: Readonly<Record<string, Pool<ForwardedEnviron>>>,
    log: Logger,
  ) {
    this.#own = own;
    this.#mounts = mounts;
    this.#pools = pools;
    this.#log = log;
    this.#announced = smallestLimits([own]);
  }

  /** What the gateway and its frameworks accept now: what a new edge stream hears first. */
  get announced(): Limits {
    return this.#announced;
  }

  /** Where a change goes: the exchange service's `announce`, to every edge stream. */
  announceTo(announce: (limits: Limits) => void): void {
    this.#announce = announce;
  }

  /** The frameworks of pool `name` announced `inner`. */
  poolChanged(name: string, inner: Limits): void {
    const mounts = this.#mounts.filter((mount) => mount.poolName === name);
    if (mounts.length === 0) return;
    for (const mount of mounts) mount.limits.update(inner);
    this.#report(name, inner);
    const announced = smallestLimits([this.#own, ...this.#used().map((pool) => pool.limits)]);
    if (sameLimits(announced, this.#announced)) return;
    this.#announced = announced;
    this.#announce?.(announced);
  }

  /** The pools a mount sends requests to: the others limit nothing the edges send. */
  #used(): Array<Pool<ForwardedEnviron>> {
    const names = new Set(this.#mounts.map((mount) => mount.poolName));
    return [...names].map((name) => this.#pools[name] as Pool<ForwardedEnviron>);
  }

  #report(pool: string, inner: Limits): void {
    const mismatches = limitMismatches(this.#own, inner);
    const lines = mismatches.map((m) => describeMismatch(m, 'the gateway'));
    const key = lines.join('\n');
    if (this.#logged.get(pool) === key) return;
    this.#logged.set(pool, key);
    if (mismatches.length === 0) {
      this.#log.info({ pool }, `pool ${pool}: the gateway's limits agree with its frameworks'`);
      return;
    }
    mismatches.forEach((m, i) =>
      this.#log.warn(
        {
          pool,
          limit: m.name,
          outer: describeLimit(m.name, m.outer),
          inner: describeLimit(m.name, m.inner),
          origin: m.inner.origin,
        },
        `limits disagree: pool ${pool}: ${lines[i] as string}`,
      ),
    );
  }
}
