import type { Env, EnvSchema } from '@mono/config';

/** One configuration a service reads from its environment: the variables (names, defaults) and their loader. */
export interface ServiceConfig<C> {
  schema: EnvSchema;
  /** Validates and returns the configuration; throws a ConfigError listing every problem. */
  load(env: Env): C;
  /** The loaded configuration as `--check-config` prints it below the variables (the file with them applied). */
  describe?(config: C): string;
}
