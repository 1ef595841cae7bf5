import { ConfigError, effectiveEnv, unknownVariables, type Env, type UnknownVariable } from '@mono/config';
import type { ServiceConfig } from './service-config';

/** What `--check-config` found: every problem, else every variable with its value. */
export interface ConfigReport {
  problems: string[];
  /** `NAME=value` lines, each marked `# default` or `# environment`, in schema order. */
  effective: string[];
}

/**
 * Validates a service's whole configuration without starting anything: its own variables, the others the process
 * reads (OpenTelemetry's), variables with its prefix that it does not know, and then `check` (the framework loads
 * its application module there). Collects every problem rather than stopping at the first.
 *
 * @example
 * const report = await checkConfig('EDGE_', [edgeConfig, telemetryConfig], process.env);
 */
export async function checkConfig<C>(
  prefix: string,
  [own, ...others]: readonly [ServiceConfig<C>, ...ServiceConfig<unknown>[]],
  env: Env,
  check?: (config: C) => Promise<string | void> | string | void,
): Promise<ConfigReport> {
  const problems: string[] = [];
  let config: C | undefined;
  try {
    config = own.load(env);
  } catch (err) {
    problems.push(...problemsOf(err));
  }
  for (const other of others) {
    try {
      other.load(env);
    } catch (err) {
      problems.push(...problemsOf(err));
    }
  }
  problems.push(...unknownVariables(env, prefix, Object.keys(own.schema.entries)).map(describeUnknown));
  let note: string | void = undefined;
  if (config !== undefined && check) {
    try {
      note = await check(config);
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  const variables = [own, ...others].flatMap(({ schema }) => effectiveEnv(schema, env));
  const width = Math.min(
    48,
    Math.max(...variables.map(({ name, value }) => name.length + redact(name, value).length + 1)),
  );
  return {
    problems,
    effective: [
      ...variables.map(
        ({ name, value, source }) =>
          `${`${name}=${redact(name, value)}`.padEnd(width)}  # ${value === '' && source === 'default' ? 'not set' : source}`,
      ),
      ...(config !== undefined && own.describe
        ? ['# effective configuration (the file, with the variables above applied):', own.describe(config)]
        : []),
      ...(note ? [`# ${note}`] : []),
    ],
  };
}

/**
 * Header values (OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer …`) are credentials: the names are printed, the
 * values not, so that the output can go to a CI log.
 */
function redact(name: string, value: string): string {
  if (!name.endsWith('_HEADERS') || value === '') return value;
  return value
    .split(',')
    .map((pair) => `${pair.split('=')[0]?.trim()}=(redacted)`)
    .join(',');
}

/** The warning (at start) or problem (`--check-config`) for a variable the service does not know. */
export function describeUnknown({ name, suggestion }: UnknownVariable): string {
  return `${name}: unknown variable${suggestion ? ` (did you mean ${suggestion}?)` : ''}`;
}

function problemsOf(err: unknown): readonly string[] {
  if (err instanceof ConfigError) return err.problems;
  throw err;
}
