export { ConfigError } from './config-error';
export { describeEnv } from './describe-env';
export type { EnvVariable } from './describe-env';
export { effectiveEnv } from './effective-env';
export type { EffectiveVariable, EnvSchema } from './effective-env';
export { addresses, count, flag, host, list, logLevel, oneAddress, port, text } from './env-types';
export { applyHostPort, boundAddress, isUnix, joinHostPort, localAddress, splitHostPort } from './listen-address';
export { loadConfig } from './load-config';
export type { Env } from './load-config';
export {
  address,
  addressList,
  duration,
  mountPath,
  parseDuration,
  parseSize,
  pool,
  poolSettings,
  size,
} from './file-types';
export { describeConfig, loadServiceConfig } from './load-service-config';
export type { ServiceConfigSpec } from './load-service-config';
export { unknownVariables } from './unknown-variables';
export type { UnknownVariable } from './unknown-variables';
