import * as v from 'valibot';

export interface EnvVariable {
  name: string;
  default: string;
  description: string;
}

/**
 * The variables of an env schema, for documentation: name, default ("" when none) and description.
 *
 * @example
 * describeEnv(edgeEnvSchema).map((e) => `| ${e.name} | ${e.default} | ${e.description} |`)
 */
export function describeEnv(schema: v.ObjectSchema<v.ObjectEntries, undefined>): EnvVariable[] {
  return Object.entries(schema.entries).map(([name, entry]) => {
    const inner = 'pipe' in entry ? (entry.pipe as readonly unknown[])[0] : entry;
    const fallback = v.getDefault(inner as v.OptionalSchema<v.GenericSchema, unknown>);
    return {
      name,
      default: fallback === undefined ? '' : String(fallback),
      description: v.getDescription(entry as v.GenericSchema) ?? '',
    };
  });
}
