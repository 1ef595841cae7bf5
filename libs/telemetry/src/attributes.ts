/**
 * The attribute registry: every span attribute key this project's spans may carry that is not a current key of the
 * OpenTelemetry semantic conventions (1.45, `@opentelemetry/semantic-conventions`). Custom keys are defined here
 * and only here (prefix `mono.`); the instrumentations' own keys and the deprecated keys that
 * `OTEL_SEMCONV_STABILITY_OPT_IN=rpc/dup` adds are listed so that a test can hold every span of a real trace
 * against this file (apps/trace-e2e): a key that is neither here nor in the conventions fails it.
 */
export const ATTR_MONO_REQUEST_ID = 'mono.request.id';
/** The gateway's mount point for the request: its SCRIPT_NAME. */
export const ATTR_MONO_SCRIPT_NAME = 'mono.gateway.script_name';
/** The application the framework handed the request to, by the name it hosts it under ("default" for its default). */
export const ATTR_MONO_APPLICATION = 'mono.framework.application';
/** ms the request waited in the gateway's admission queue. */
export const ATTR_MONO_QUEUE_MS = 'mono.gateway.queue_ms';
/** Requests the gateway had in flight to the framework when this one was admitted. */
export const ATTR_MONO_IN_FLIGHT = 'mono.gateway.in_flight';
/** Whether the edge continued the caller's trace or started a new one linked to it. */
export const ATTR_MONO_TRACE_ORIGIN = 'mono.edge.trace_origin';
/** Why a request went to another instance of a pool: not accepted, unreachable, stream broke. */
export const ATTR_MONO_RETRY_REASON = 'mono.retry.reason';
/** A pool of upstream instances, by its configured name (metrics). */
export const ATTR_MONO_POOL_NAME = 'mono.pool.name';
/** How a pool member stands: up, trial, ejected, draining, removed (metrics). */
export const ATTR_MONO_POOL_MEMBER_STATE = 'mono.pool.member.state';

/**
 * Deprecated semantic-convention keys, emitted only with OTEL_SEMCONV_STABILITY_OPT_IN=rpc/dup (they live in the
 * incubating entry of the semconv package, a module of thousands of constants not worth loading in every service).
 */
export const ATTR_RPC_SYSTEM_DEPRECATED = 'rpc.system';
export const ATTR_RPC_SERVICE_DEPRECATED = 'rpc.service';
export const ATTR_RPC_GRPC_STATUS_CODE_DEPRECATED = 'rpc.grpc.status_code';

export type AttributeOrigin = 'mono' | 'instrumentation' | 'deprecated';

export interface RegisteredAttribute {
  readonly origin: AttributeOrigin;
  readonly type: 'string' | 'int' | 'boolean';
  readonly brief: string;
}

/** Every key above, and the keys of the instrumentations the services load, with what they mean. */
export const ATTRIBUTE_REGISTRY: Readonly<Record<string, RegisteredAttribute>> = {
  [ATTR_MONO_REQUEST_ID]: { origin: 'mono', type: 'string', brief: "The request's X-Request-Id" },
  [ATTR_MONO_SCRIPT_NAME]: { origin: 'mono', type: 'string', brief: "The gateway's mount point (SCRIPT_NAME)" },
  [ATTR_MONO_APPLICATION]: {
    origin: 'mono',
    type: 'string',
    brief: 'The application the framework handed the request to, by its hosted name',
  },
  [ATTR_MONO_QUEUE_MS]: { origin: 'mono', type: 'int', brief: "ms queued for the gateway's admission" },
  [ATTR_MONO_IN_FLIGHT]: { origin: 'mono', type: 'int', brief: 'Requests in flight to the framework at admission' },
  [ATTR_MONO_TRACE_ORIGIN]: {
    origin: 'mono',
    type: 'string',
    brief: "continued or linked: what the edge did with the caller's traceparent",
  },
  [ATTR_MONO_RETRY_REASON]: {
    origin: 'mono',
    type: 'string',
    brief: 'Why a request went to another instance of a pool: not accepted, unreachable, stream broke',
  },
  [ATTR_MONO_POOL_NAME]: { origin: 'mono', type: 'string', brief: 'A pool of upstream instances (metrics)' },
  [ATTR_MONO_POOL_MEMBER_STATE]: {
    origin: 'mono',
    type: 'string',
    brief: 'How a pool member stands: up, trial, ejected, draining, removed (metrics)',
  },
  'express.name': { origin: 'instrumentation', type: 'string', brief: 'Express layer name (instrumentation-express)' },
  'express.type': { origin: 'instrumentation', type: 'string', brief: 'Express layer type (instrumentation-express)' },
  [ATTR_RPC_SYSTEM_DEPRECATED]: { origin: 'deprecated', type: 'string', brief: 'rpc/dup only: rpc.system.name' },
  [ATTR_RPC_SERVICE_DEPRECATED]: {
    origin: 'deprecated',
    type: 'string',
    brief: 'rpc/dup only: the service of rpc.method',
  },
  [ATTR_RPC_GRPC_STATUS_CODE_DEPRECATED]: {
    origin: 'deprecated',
    type: 'int',
    brief: 'rpc/dup only: rpc.status_code as a number',
  },
};
