export { toApplicationError } from './application-error';
export { buildEnviron } from './build-environ';
export { createTsgiServer } from './create-tsgi-server';
export type { TsgiServerOptions } from './create-tsgi-server';
export { environFromMessage } from './environ-from-message';
export type { LiveEnvironParts } from './environ-from-message';
export { httpRequestOf } from './http-request-of';
