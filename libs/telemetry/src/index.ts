export {
  ATTR_MONO_APPLICATION,
  ATTR_MONO_IN_FLIGHT,
  ATTR_MONO_QUEUE_MS,
  ATTR_MONO_REQUEST_ID,
  ATTR_MONO_POOL_MEMBER_STATE,
  ATTR_MONO_POOL_NAME,
  ATTR_MONO_RETRY_REASON,
  ATTR_MONO_SCRIPT_NAME,
  ATTR_MONO_TRACE_ORIGIN,
  ATTR_RPC_GRPC_STATUS_CODE_DEPRECATED,
  ATTR_RPC_SERVICE_DEPRECATED,
  ATTR_RPC_SYSTEM_DEPRECATED,
  ATTRIBUTE_REGISTRY,
} from './attributes';
export type { AttributeOrigin, RegisteredAttribute } from './attributes';
export { DURATION_BUCKETS, durationHistogram, recordByParts } from './duration-histogram';
export type { DurationHistogram, DurationHistogramOptions } from './duration-histogram';
export { HopSpan, HopTracer } from './hop-tracer';
export { KNOWN_HTTP_METHODS } from './http-methods';
export { createLogger } from './logger';
export { mergeExpositions, parseExposition, retire, type Exposition, type MetricFamily } from './merge-metrics';
export { prometheusHandler, prometheusText } from './prometheus-handler';
export type { Logger } from './logger';
export { grpcAttributes, grpcStatusAttributes, grpcStatusName } from './rpc-attributes';
export { randomHex, randomSpanId, randomTraceId } from './random-ids';
export { setSamplingFacts, tracingOff, unrecordedRootContext, unsampledBelow, w3cRemoteContext } from './sampling';
export { shutdownTelemetry } from './shutdown-telemetry';
export { passedTraceparent, W3CParent } from './w3c-parent';
