export { channelOptions, serverOptions } from './channel-options';
export { HEAD_BACKSTOP_MS } from './client-call';
export type { ClientCall, ResponseSink } from './client-call';
export { addExchangeService } from './exchange-service';
export type { DrainOptions, ExchangeService } from './exchange-service';
export { forwardBody } from './forward-body';
export { createGrpcServer } from './grpc-server';
export { checkHealth } from './health';
export { frameworkHopErrors, gatewayHopErrors } from './hop-errors';
export {
  describeLimit,
  describeMismatch,
  formatLimit,
  LIMIT_NAMES,
  limitMismatches,
  namedBy,
  noLimits,
  sameLimits,
  smallestLimits,
} from './hop-limits';
export type { LimitMismatch, LimitName } from './hop-limits';
export { MuxClient } from './mux-client';
export type { CallOptions } from './mux-client';
export { Pool } from './pool';
export { observePools } from './pool-metrics';
export type { Balance, PoolEvents, PoolSettings, PoolStats } from './pool';
export type { PoolCall, PoolCallOptions } from './pool-call';
export type { MemberState, MemberStats } from './pool-member';
export { readBody } from './read-body';
export { requestHeadBytes } from './request-head-bytes';
export { RequestLimits } from './request-limits';
export type { RequestLimitCodes } from './request-limits';
export type { BodyLimit, ServerCall } from './server-call';
