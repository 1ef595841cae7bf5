import * as v from 'valibot';
import { presentVariables, type Env } from './load-config';

/** An env schema: one entry per variable (the shape `describeEnv` documents). */
export type EnvSchema = v.ObjectSchema<v.ObjectEntries, undefined>;

/** A variable as the service runs with it: its parsed value written back as text, and where it came from. */
export interface EffectiveVariable {
  name: string;
  /** Lists joined by commas; "" for an optional variable that is not set. */
  value: string;
  source: 'environment' | 'default';
}

/**
 * Every variable of an env schema with the value a service runs with: what `--check-config` prints (as `nginx -T`
 * prints the configuration it would run). A value that does not parse is shown as given.
 *
 * @example
 * effectiveEnv(edgeEnvSchema, { EDGE_PORT: '9090' })
 * // [{ name: 'EDGE_HOST', value: '127.0.0.1', source: 'default' }, { name: 'EDGE_PORT', value: '9090', source: 'environment' }, …]
 */
export function effectiveEnv(schema: EnvSchema, env: Env): EffectiveVariable[] {
  const present = presentVariables(env);
  return Object.entries(schema.entries).map(([name, entry]) => {
    const given = present[name];
    const parsed = v.safeParse(entry, given);
    return {
      name,
      value: parsed.success ? asText(parsed.output) : (given ?? ''),
      source: given === undefined ? 'default' : 'environment',
    };
  });
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(asText).join(',');
  return String(value);
}
