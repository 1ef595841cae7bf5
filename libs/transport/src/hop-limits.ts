import type { Limit, Limits } from '@mono/contracts';

/** A limit that layers exchange, by its field in mono.transport.v1.Limits (docs/adr/0014-limits-that-agree.md). */
export type LimitName = 'headerBytes' | 'bodyBytes' | 'headTimeoutMs' | 'idleTimeoutMs';

export const LIMIT_NAMES: readonly LimitName[] = ['headerBytes', 'bodyBytes', 'headTimeoutMs', 'idleTimeoutMs'];

/** Where the outer layer accepts more than the inner one: both limits, each naming its setting. */
export interface LimitMismatch {
  readonly name: LimitName;
  readonly outer: Limit;
  readonly inner: Limit;
}

const KiB = 1 << 10;
const MiB = 1 << 20;
const GiB = 1 << 30;

/** What a request beyond each limit gets, and from whom (`at`: the layer that compares). */
const CONSEQUENCE: Record<LimitName, (value: string, at: string) => string> = {
  headerBytes: (value, at) => `request heads over ${value} get 431 from ${at}`,
  bodyBytes: (value, at) => `bodies over ${value} get 413 from ${at}`,
  headTimeoutMs: (value) => `a response head later than ${value} gets 504`,
  idleTimeoutMs: (value) => `a body that pauses for longer than ${value} gets 504`,
};

/** No limits at all. */
export function noLimits(): Limits {
  return { headerBytes: undefined, bodyBytes: undefined, headTimeoutMs: undefined, idleTimeoutMs: undefined };
}

/**
 * For each limit, the smallest of those given (an absent limit or 0 is none): what a request must stay within to
 * pass all of them, each still naming its setting and origin.
 *
 * @example
 * smallestLimits([gatewayOwn, frameworkPool.limits]) // what the gateway announces to the edge
 */
export function smallestLimits(all: Iterable<Limits | undefined>): Limits {
  const out = noLimits();
  for (const limits of all) {
    if (limits === undefined) continue;
    for (const name of LIMIT_NAMES) {
      const limit = limits[name];
      if (limit === undefined || limit.value <= 0) continue;
      const least = out[name];
      if (least === undefined || limit.value < least.value) out[name] = limit;
    }
  }
  return out;
}

export function sameLimits(a: Limits, b: Limits): boolean {
  return LIMIT_NAMES.every((name) => sameLimit(a[name], b[name]));
}

/**
 * The limits an upstream announced, as its client names them: the upstream's own (`origin` "") become `who`'s
 * (`gateway 127.0.0.1:50051`); those it passed on from behind it gain `behind <who>`.
 */
export function namedBy(limits: Limits, who: string): Limits {
  const out = noLimits();
  for (const name of LIMIT_NAMES) {
    const limit = limits[name];
    if (limit === undefined || limit.value <= 0) continue;
    out[name] = { ...limit, origin: limit.origin === '' ? who : `${limit.origin} behind ${who}` };
  }
  return out;
}

/** Each limit the outer layer sets higher than the inner one (or not at all, where the inner has one). */
export function limitMismatches(outer: Limits, inner: Limits): LimitMismatch[] {
  const mismatches: LimitMismatch[] = [];
  for (const name of LIMIT_NAMES) {
    const limit = inner[name];
    if (limit === undefined || limit.value <= 0) continue;
    const own = outer[name];
    if (own === undefined || own.value <= 0 || own.value > limit.value) {
      mismatches.push({
        name,
        outer: own ?? { value: 0, setting: '(no limit)', variable: '', origin: '' },
        inner: limit,
      });
    }
  }
  return mismatches;
}

/** A limit's value as the configuration files write it: `64KiB`, `1MiB`, `1500B`, `60s`, `250ms`, `off`. */
export function formatLimit(name: LimitName, value: number): string {
  if (value <= 0) return 'off';
  if (name === 'headerBytes' || name === 'bodyBytes') {
    if (value % GiB === 0) return `${value / GiB}GiB`;
    if (value % MiB === 0) return `${value / MiB}MiB`;
    if (value % KiB === 0) return `${value / KiB}KiB`;
    return `${value}B`;
  }
  if (value % 3_600_000 === 0) return `${value / 3_600_000}h`;
  // 60s and 90s, as the configuration files write them; 2m and up in minutes.
  if (value >= 120_000 && value % 60_000 === 0) return `${value / 60_000}m`;
  if (value % 1_000 === 0) return `${value / 1_000}s`;
  return `${value}ms`;
}

/** `framework.yaml limits.body 64KiB (FRAMEWORK_MAX_BODY_BYTES)`: the setting, its value, its variable. */
export function describeLimit(name: LimitName, limit: Limit): string {
  const value = formatLimit(name, limit.value);
  return limit.variable === '' ? `${limit.setting} ${value}` : `${limit.setting} ${value} (${limit.variable})`;
}

/**
 * One line for the log at connect, naming both values and both settings, and what becomes of a request beyond the
 * inner limit: `edge.yaml limits.body 1MiB (EDGE_MAX_BODY_BYTES) accepts more than framework.yaml limits.body 64KiB
 * (FRAMEWORK_MAX_BODY_BYTES) of framework 127.0.0.1:50061 behind gateway 127.0.0.1:50051: bodies over 64KiB get 413
 * from the edge`.
 */
export function describeMismatch({ name, outer, inner }: LimitMismatch, at: string): string {
  const verb = name === 'headerBytes' || name === 'bodyBytes' ? 'accepts more than' : 'waits longer than';
  const of = inner.origin === '' ? '' : ` of ${inner.origin}`;
  const consequence = CONSEQUENCE[name](formatLimit(name, inner.value), at);
  return `${describeLimit(name, outer)} ${verb} ${describeLimit(name, inner)}${of}: ${consequence}`;
}

function sameLimit(a: Limit | undefined, b: Limit | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.value === b.value && a.setting === b.setting && a.variable === b.variable && a.origin === b.origin;
}
