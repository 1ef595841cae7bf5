import * as v from 'valibot';
import { ConfigError } from './config-error';

export type Env = Readonly<Record<string, string | undefined>>;

type Schema = v.GenericSchema<Record<string, string>, unknown>;

/**
 * Parses a service's environment against its schema once, at start-up: every problem is reported at once, each
 * naming its variable, and the result is frozen. Empty variables count as unset, so `FOO=` falls back to the
 * default.
 *
 * @example
 * const config = loadConfig('edge', edgeConfigSchema, process.env);
 */
export function loadConfig<S extends Schema>(service: string, schema: S, env: Env): Readonly<v.InferOutput<S>> {
  const result = v.safeParse(schema, presentVariables(env), { abortPipeEarly: true });
  if (!result.success) {
    throw new ConfigError(
      service,
      result.issues.map((issue) => `${v.getDotPath(issue) ?? '(root)'}: ${issue.message}`),
    );
  }
  return deepFreeze(result.output);
}

/** The variables that are set: an empty one counts as unset, so `FOO=` falls back to the default. */
export function presentVariables(env: Env): Record<string, string> {
  const present: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') present[key] = value;
  return present;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
