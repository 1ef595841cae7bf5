export { ConfigError } from './config-error';
export { describeEnv } from './describe-env';
export type { EnvVariable } from './describe-env';
export { addresses, count, flag, host, list, logLevel, port, text } from './env-types';
export { loadConfig } from './load-config';
export type { Env } from './load-config';
export { address, addressList, duration, parseDuration, parseSize, size } from './file-types';
export { loadServiceConfig } from './load-service-config';
export type { LoadedConfig, ServiceConfigSpec } from './load-service-config';
