import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { CORE_SCHEMA, dump as dumpYaml, load as parseYaml } from 'js-yaml';
import * as v from 'valibot';
import { ConfigError } from './config-error';
import type { Env } from './load-config';

type EnvSchema = v.ObjectSchema<v.ObjectEntries, undefined>;
type FileSchema = v.GenericSchema<Record<string, unknown>, unknown>;

/** What one service's configuration is made of (docs/adr/0005-configuration-files.md). */
export interface ServiceConfigSpec<F extends FileSchema, E extends EnvSchema> {
  /** `edge`, `gateway`, `framework`: names the file variable (`EDGE_CONFIG`) and the messages. */
  service: string;
  /** The file's schema: defaults, units, inheritance into locations, validation of the merged document. */
  file: F;
  /** The service's environment variables (the README's table is generated from it). */
  env: E;
  /**
   * Writes the environment variables that are set onto the file's document, where they override the file's
   * service-wide values (a value a location sets explicitly stays: the file schema inherits only what is unset).
   */
  applyEnv(document: Record<string, unknown>, set: Partial<v.InferOutput<E>>): void;
}

/**
 * Loads a service's configuration once, at start-up: its YAML file (named by `<SERVICE>_CONFIG`), the environment
 * variables that are set on top, then the file schema over the result. Every problem of the file, the variables and
 * the merged document is reported at once, each with where it is (`edge.yaml: pools.gateways.servers.1: …`,
 * `EDGE_PORT: …`); the result is frozen.
 *
 * @example
 * const config = loadServiceConfig(edgeConfigSpec, process.env);
 */
export function loadServiceConfig<F extends FileSchema, E extends EnvSchema>(
  spec: ServiceConfigSpec<F, E>,
  env: Env,
): Readonly<v.InferOutput<F>> {
  const fileVariable = `${spec.service.toUpperCase()}_CONFIG`;
  const file = nonEmpty(env[fileVariable]);
  const problems: string[] = [];

  const document = file === undefined ? {} : readDocument(file, fileVariable, problems);
  const unreadable = problems.length > 0;
  const set = parseSetVariables(spec.env, env, problems);
  spec.applyEnv(document, set);
  const result = v.safeParse(spec.file, document);
  if (!result.success && !unreadable) {
    const where = file === undefined ? 'configuration' : basename(file);
    for (const issue of result.issues)
      problems.push(`${where}: ${v.getDotPath(issue) ?? '(top level)'}: ${issue.message}`);
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(spec.service, problems);
  return deepFreeze(result.output);
}

function readDocument(file: string, variable: string, problems: string[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`${variable}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    return {};
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text, { filename: basename(file), schema: CORE_SCHEMA });
  } catch (err) {
    problems.push(`${basename(file)}: ${(err as Error).message.split('\n')[0]}`);
    return {};
  }
  if (parsed === undefined || parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    problems.push(`${basename(file)}: expected a mapping of settings at the top level`);
    return {};
  }
  return parsed as Record<string, unknown>;
}

/** The variables of `schema` that are set (non-empty) in `env`, parsed; problems are collected, naming each variable. */
function parseSetVariables<E extends EnvSchema>(schema: E, env: Env, problems: string[]): Partial<v.InferOutput<E>> {
  const set: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(schema.entries)) {
    const raw = nonEmpty(env[name]);
    if (raw === undefined) continue;
    const result = v.safeParse(entry, raw, { abortPipeEarly: true });
    if (result.success) set[name] = result.output;
    else for (const issue of result.issues) problems.push(`${name}: ${issue.message}`);
  }
  return set as Partial<v.InferOutput<E>>;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** A loaded configuration as YAML, the way `--check-config` prints it (nginx's -T). */
export function describeConfig(config: unknown): string {
  return dumpYaml(config, { lineWidth: 120, noRefs: true, sortKeys: false }).trimEnd();
}
