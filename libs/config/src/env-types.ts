import * as v from 'valibot';
import { ADDRESS } from './file-types';

/**
 * Schema pieces for environment variables. Each parses the string form, carries its default and a description
 * (which `describeEnv` turns into the README's table), and names its unit in the variable's name.
 */

export function port(defaultPort: number, description: string) {
  return env(
    v.pipe(v.string(), v.transform(Number), v.integer('expected a port number'), v.minValue(0), v.maxValue(65_535)),
    String(defaultPort),
    description,
  );
}

export function host(defaultHost: string, description: string) {
  return env(v.pipe(v.string(), v.minLength(1)), defaultHost, description);
}

/** A non-negative integer such as a byte count or a duration in milliseconds. */
export function count(defaultValue: number, description: string, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) {
  return env(
    v.pipe(v.string(), v.transform(Number), v.integer('expected a whole number'), v.minValue(min), v.maxValue(max)),
    String(defaultValue),
    description,
  );
}

export function flag(defaultValue: boolean, description: string) {
  return env(
    v.pipe(
      v.picklist(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], 'expected true or false'),
      v.transform((value) => ['true', '1', 'yes', 'on'].includes(value)),
    ),
    String(defaultValue),
    description,
  );
}

/** One `host:port` address; a list is refused with `listMessage`, which says why only one is taken. */
export function oneAddress(
  defaultValue: string | undefined,
  description: string,
  listMessage = 'expected one address, not a list',
) {
  const schema = v.pipe(
    v.string(),
    v.trim(),
    v.check((value) => !value.includes(','), listMessage),
    v.regex(ADDRESS, 'expected host:port, [v6]:port or unix:/path'),
  );
  return defaultValue === undefined
    ? v.pipe(v.optional(schema), v.description(description))
    : env(schema, defaultValue, description);
}

/** A comma-separated list of `host:port` addresses. */
export function addresses(defaultValue: string, description: string) {
  return env(
    v.pipe(
      v.string(),
      v.transform((value) =>
        value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
      v.array(v.pipe(v.string(), v.regex(ADDRESS, 'expected host:port, [v6]:port or unix:/path'))),
      v.minLength(1, 'expected at least one address'),
    ),
    defaultValue,
    description,
  );
}

/** A comma-separated list of strings, each checked by `item`. */
export function list(defaultValue: string, description: string, item: RegExp, message: string) {
  return env(
    v.pipe(
      v.string(),
      v.transform((value) =>
        value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
      v.array(v.pipe(v.string(), v.regex(item, message))),
      v.minLength(1, 'expected at least one value'),
    ),
    defaultValue,
    description,
  );
}

export function text(defaultValue: string | undefined, description: string) {
  return defaultValue === undefined
    ? v.pipe(v.optional(v.string()), v.description(description))
    : env(v.string(), defaultValue, description);
}

export function logLevel() {
  return env(
    v.picklist(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    'info',
    'pino level: fatal, error, warn, info, debug, trace, silent',
  );
}

function env<S extends v.GenericSchema<string, unknown>>(schema: S, defaultValue: string, description: string) {
  return v.pipe(v.optional(schema, defaultValue), v.description(description));
}
