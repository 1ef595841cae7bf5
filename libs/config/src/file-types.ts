import * as v from 'valibot';

/**
 * Schema pieces for configuration files (docs/adr/0005-configuration-files.md): values a person can read —
 * durations as `500ms`, `60s`, `2m`, `1h` or a number of milliseconds, sizes as `64KiB`, `1MiB` or a number of bytes,
 * `off` for 0 where a limit can be switched off — and addresses as `host:port`, `[v6]:port` or `unix:/path`.
 */

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;
const DURATION_UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const SIZE = /^(\d+)\s*(B|KiB|MiB|GiB)?$/;
const SIZE_UNIT: Record<string, number> = { B: 1, KiB: 1 << 10, MiB: 1 << 20, GiB: 1 << 30 };
/** `host:port`, `[v6]:port` or `unix:/path` (an absolute path: grpc-js's form of a Unix domain socket). */
export const ADDRESS = /^(?:\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):\d{1,5}$|^unix:\/\S+$/;

/** Milliseconds, from a number or `500ms`/`60s`/`2m`/`1h`/`off`; with a default, the setting may be left out. */
export function duration(): ReturnType<typeof durationSchema>;
export function duration(defaultMs: number): v.OptionalSchema<ReturnType<typeof durationSchema>, number>;
export function duration(defaultMs?: number) {
  const schema = durationSchema();
  return defaultMs === undefined ? schema : v.optional(schema, defaultMs);
}

/** Bytes, from a number or `64KiB`/`1MiB`/`1GiB`/`off`; with a default, the setting may be left out. */
export function size(): ReturnType<typeof sizeSchema>;
export function size(defaultBytes: number): v.OptionalSchema<ReturnType<typeof sizeSchema>, number>;
export function size(defaultBytes?: number) {
  const schema = sizeSchema();
  return defaultBytes === undefined ? schema : v.optional(schema, defaultBytes);
}

function durationSchema() {
  return v.pipe(
    v.union([v.number(), v.string()], 'expected a duration such as 500ms, 60s, 2m or a number of ms'),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const ms = parseDuration(dataset.value);
      if (ms === undefined) {
        addIssue({
          message: `expected a duration such as 500ms, 60s, 2m or a number of ms, got ${show(dataset.value)}`,
        });
        return NEVER;
      }
      return ms;
    }),
  );
}

function sizeSchema() {
  return v.pipe(
    v.union([v.number(), v.string()], 'expected a size such as 64KiB, 1MiB or a number of bytes'),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const bytes = parseSize(dataset.value);
      if (bytes === undefined) {
        addIssue({ message: `expected a size such as 64KiB, 1MiB or a number of bytes, got ${show(dataset.value)}` });
        return NEVER;
      }
      return bytes;
    }),
  );
}

/** `host:port`, `[v6]:port` or `unix:/path`. */
export function address() {
  return v.pipe(v.string(), v.regex(ADDRESS, 'expected host:port, [v6]:port or unix:/path'));
}

/** One address or a list of them, always a list (at least one). */
export function addressList() {
  return v.pipe(
    v.union([address(), v.array(address())], 'expected host:port or a list of them'),
    v.transform((value) => (Array.isArray(value) ? value : [value])),
    v.minLength(1, 'expected at least one address'),
  );
}

export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  if (value === 'off') return 0;
  const match = DURATION.exec(value.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * (DURATION_UNIT_MS[match[2] as string] as number));
}

export function parseSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  if (value === 'off') return 0;
  const match = SIZE.exec(value.trim());
  if (!match) return undefined;
  return Number(match[1]) * (SIZE_UNIT[match[2] ?? 'B'] as number);
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/**
 * A pool of upstream instances (libs/transport's PoolSettings), nginx's defaults: round-robin, `maxFails: 1`,
 * `failTimeout: 10s`; names re-resolved every 5 s; tries min(members, 2); 1 MiB of a body kept for a retry.
 */
export function pool() {
  return v.strictObject({
    servers: addressList(),
    balance: v.optional(v.picklist(['round-robin', 'least-outstanding']), 'round-robin'),
    maxFails: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 1),
    failTimeout: duration(10_000),
    resolveEvery: duration(5_000),
    tries: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
    retainBody: size(1 << 20),
  });
}

/** A pool's settings as libs/transport's Pool takes them. */
export function poolSettings(p: v.InferOutput<ReturnType<typeof pool>>) {
  return {
    servers: p.servers,
    balance: p.balance,
    maxFails: p.maxFails,
    failTimeoutMs: p.failTimeout,
    resolveEveryMs: p.resolveEvery,
    tries: p.tries,
    retainBodyBytes: p.retainBody,
  };
}

/** A mount point or location path: "/" or /segment[/segment…] without a trailing "/". */
export function mountPath() {
  return v.pipe(
    v.string(),
    v.regex(/^\/$|^(\/[^/?#%\s]+)+$/, 'a mount is "/" or /segment[/segment…] without a trailing "/"'),
  );
}
