/**
 * The only place custom span attribute keys are defined (prefix `mono.`); everything else uses the semantic
 * conventions' keys.
 */
export const ATTR_MONO_REQUEST_ID = 'mono.request.id';
/** The gateway's mount point for the request: its SCRIPT_NAME. */
export const ATTR_MONO_SCRIPT_NAME = 'mono.gateway.script_name';
/** ms the request waited in the gateway's admission queue. */
export const ATTR_MONO_QUEUE_MS = 'mono.gateway.queue_ms';
/** Requests the gateway had in flight to the framework when this one was admitted. */
export const ATTR_MONO_IN_FLIGHT = 'mono.gateway.in_flight';
/** Whether the edge continued the caller's trace or started a new one linked to it. */
export const ATTR_MONO_TRACE_ORIGIN = 'mono.edge.trace_origin';

/**
 * Semantic-convention keys still in the incubating set, spelled here rather than importing
 * `@opentelemetry/semantic-conventions/incubating` (a module of thousands of constants) into every service.
 */
export const ATTR_RPC_SYSTEM = 'rpc.system';
export const ATTR_RPC_SERVICE = 'rpc.service';
export const ATTR_RPC_METHOD = 'rpc.method';
export const ATTR_RPC_GRPC_STATUS_CODE = 'rpc.grpc.status_code';
/** Why a request went to another instance of a pool: not accepted, unreachable, stream broke. */
export const ATTR_MONO_RETRY_REASON = 'mono.retry.reason';
