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
const ADDRESS = /^(?:\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):\d{1,5}$|^unix:\/\S+$/;

/** Milliseconds, from a number or `500ms`/`60s`/`2m`/`1h`/`off`. */
export function duration(defaultMs?: number) {
  const schema = v.pipe(
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
  return defaultMs === undefined ? schema : v.optional(schema, defaultMs);
}

/** Bytes, from a number or `64KiB`/`1MiB`/`1GiB`/`off`. */
export function size(defaultBytes?: number) {
  const schema = v.pipe(
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
  return defaultBytes === undefined ? schema : v.optional(schema, defaultBytes);
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
