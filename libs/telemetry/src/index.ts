export {
  ATTR_RPC_GRPC_STATUS_CODE,
  ATTR_RPC_METHOD,
  ATTR_RPC_SERVICE,
  ATTR_RPC_SYSTEM,
  ATTR_MONO_IN_FLIGHT,
  ATTR_MONO_QUEUE_MS,
  ATTR_MONO_REQUEST_ID,
  ATTR_MONO_RETRY_REASON,
  ATTR_MONO_SCRIPT_NAME,
  ATTR_MONO_TRACE_ORIGIN,
} from './attributes';
export { createLogger } from './logger';
export { prometheusHandler } from './prometheus-handler';
export type { Logger } from './logger';
export { setParentBasedSampling, unsampledBelow } from './sampling';
export { shutdownTelemetry } from './shutdown-telemetry';
