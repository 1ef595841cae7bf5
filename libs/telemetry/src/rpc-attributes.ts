import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_RPC_METHOD,
  ATTR_RPC_STATUS_CODE,
  ATTR_RPC_SYSTEM_NAME,
  RPC_SYSTEM_NAME_VALUE_GRPC,
} from '@opentelemetry/semantic-conventions';
import {
  ATTR_RPC_GRPC_STATUS_CODE_DEPRECATED,
  ATTR_RPC_SERVICE_DEPRECATED,
  ATTR_RPC_SYSTEM_DEPRECATED,
} from './attributes';

/** Set by startTelemetry from OTEL_SEMCONV_STABILITY_OPT_IN; global because each bundle has its own copy of this module. */
const RPC_DUP = Symbol.for('mono.telemetry.rpcSemconvDup');

/** gRPC status names by code (grpc/doc/statuscodes.md); rpc.status_code carries the name. */
const GRPC_STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

export function setRpcSemconvDup(dup: boolean): void {
  (globalThis as Record<symbol, unknown>)[RPC_DUP] = dup;
}

/**
 * The attributes of a gRPC span by semantic conventions 1.45: `rpc.system.name` and the fully-qualified
 * `rpc.method`; with OTEL_SEMCONV_STABILITY_OPT_IN=rpc/dup also the deprecated `rpc.system` and `rpc.service`
 * (`rpc.method` is one key: it keeps the current, fully-qualified value).
 *
 * @example
 * span.setAttributes(grpcAttributes('mono.gateway.v1.GatewayService', 'Exchange'));
 */
export function grpcAttributes(service: string, method: string): Attributes {
  const attributes: Attributes = {
    [ATTR_RPC_SYSTEM_NAME]: RPC_SYSTEM_NAME_VALUE_GRPC,
    [ATTR_RPC_METHOD]: `${service}/${method}`,
  };
  if (dup()) {
    attributes[ATTR_RPC_SYSTEM_DEPRECATED] = RPC_SYSTEM_NAME_VALUE_GRPC;
    attributes[ATTR_RPC_SERVICE_DEPRECATED] = service;
  }
  return attributes;
}

/**
 * `rpc.status_code`: the gRPC status name (`OK`, `UNAVAILABLE`, …); with rpc/dup also the numeric
 * `rpc.grpc.status_code`.
 *
 * @example
 * span.setAttributes(grpcStatusAttributes(14)); // { 'rpc.status_code': 'UNAVAILABLE' }
 */
export function grpcStatusAttributes(code: number): Attributes {
  const attributes: Attributes = { [ATTR_RPC_STATUS_CODE]: GRPC_STATUS_NAMES[code] ?? String(code) };
  if (dup()) attributes[ATTR_RPC_GRPC_STATUS_CODE_DEPRECATED] = code;
  return attributes;
}

/** The gRPC status name of a code (`UNAVAILABLE` for 14), as `rpc.status_code` and metrics carry it. */
export function grpcStatusName(code: number): string {
  return GRPC_STATUS_NAMES[code] ?? String(code);
}

function dup(): boolean {
  return (globalThis as Record<symbol, unknown>)[RPC_DUP] === true;
}
