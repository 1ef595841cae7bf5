export { freePort } from './free-port';
export { send } from './http-client';
export type { Exchange, RequestOptions } from './http-client';
export { startJaeger } from './jaeger';
export type { Jaeger, JaegerSpan, JaegerTrace } from './jaeger';
export { ROOT, runFailing, startService } from './service-process';
export type { ServiceName, ServiceProcess } from './service-process';
export { startStack } from './stack';
export type { Stack, StackOptions } from './stack';
