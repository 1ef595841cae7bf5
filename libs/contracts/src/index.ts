export {
  forwardingFrameworkBoundary,
  forwardingGatewayBoundary,
  frameworkBoundary,
  gatewayBoundary,
} from './boundaries';
export type { ForwardedEnviron, ForwardedRequest } from './boundaries';
export type { EnvironOf, HttpRequestOf } from './head-codecs';
export { isDecoded, WireHeaders } from './wire-headers';
export type { HeaderFields } from './wire-headers';
export { defineBoundary } from './boundary';
export type { Boundary } from './boundary';
export type { RequestBatch, RequestFrame } from './request-batch';
export type { Environ } from './generated/mono/framework/v1/framework';
export type { Endpoint, HttpRequest } from './generated/mono/gateway/v1/gateway';
export type {
  Call,
  Failure,
  Header,
  HeadTiming,
  Limit,
  Limits,
  ReplyBatch,
  ReplyFrame,
  ResponseHead,
} from './generated/mono/transport/v1/transport';
export {
  HealthCheckResponse_ServingStatus as ServingStatus,
  HealthClient,
  HealthService,
} from './generated/grpc/health/v1/health';
export type { HealthCheckRequest, HealthCheckResponse, HealthServer } from './generated/grpc/health/v1/health';
