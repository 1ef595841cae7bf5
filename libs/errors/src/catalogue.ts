import { GrpcStatus } from './grpc-status';

/** One row of the error catalogue: the gRPC status an error crosses a hop with, and the HTTP status it ends as. */
export interface ErrorSpec {
  readonly grpc: GrpcStatus;
  readonly http: number;
  readonly title: string;
}

/**
 * Every error the stack can produce, by stable code (`<SERVICE>_ERR_<WHAT>`). This table is the one place that maps a
 * cause to an HTTP status: a gRPC status alone is too coarse (RESOURCE_EXHAUSTED is 413, 431 or a full queue's 503).
 * Codes never change once released; libs/errors/README.md lists them.
 */
export const catalogue = {
  EDGE_ERR_BAD_REQUEST: { grpc: GrpcStatus.INVALID_ARGUMENT, http: 400, title: 'Bad Request' },
  EDGE_ERR_REQUEST_TIMEOUT: { grpc: GrpcStatus.DEADLINE_EXCEEDED, http: 408, title: 'Request Timeout' },
  EDGE_ERR_BODY_TOO_LARGE: { grpc: GrpcStatus.RESOURCE_EXHAUSTED, http: 413, title: 'Content Too Large' },
  EDGE_ERR_NOT_FOUND: { grpc: GrpcStatus.NOT_FOUND, http: 404, title: 'Not Found' },
  EDGE_ERR_URI_TOO_LONG: { grpc: GrpcStatus.RESOURCE_EXHAUSTED, http: 414, title: 'URI Too Long' },
  EDGE_ERR_HEADERS_TOO_LARGE: {
    grpc: GrpcStatus.RESOURCE_EXHAUSTED,
    http: 431,
    title: 'Request Header Fields Too Large',
  },
  EDGE_ERR_METHOD_NOT_ALLOWED: { grpc: GrpcStatus.UNIMPLEMENTED, http: 405, title: 'Method Not Allowed' },
  EDGE_ERR_PRECONDITION_FAILED: { grpc: GrpcStatus.FAILED_PRECONDITION, http: 412, title: 'Precondition Failed' },
  EDGE_ERR_RANGE_NOT_SATISFIABLE: { grpc: GrpcStatus.OUT_OF_RANGE, http: 416, title: 'Range Not Satisfiable' },
  EDGE_ERR_EXPECTATION_FAILED: { grpc: GrpcStatus.FAILED_PRECONDITION, http: 417, title: 'Expectation Failed' },
  EDGE_ERR_MISDIRECTED: { grpc: GrpcStatus.FAILED_PRECONDITION, http: 421, title: 'Misdirected Request' },
  EDGE_ERR_NOT_IMPLEMENTED: { grpc: GrpcStatus.UNIMPLEMENTED, http: 501, title: 'Not Implemented' },
  EDGE_ERR_CLIENT_CLOSED: { grpc: GrpcStatus.CANCELLED, http: 499, title: 'Client Closed Request' },
  EDGE_ERR_GATEWAY_UNAVAILABLE: { grpc: GrpcStatus.UNAVAILABLE, http: 502, title: 'Bad Gateway' },
  EDGE_ERR_UPSTREAM_PROTOCOL: { grpc: GrpcStatus.INTERNAL, http: 502, title: 'Bad Gateway' },
  EDGE_ERR_GATEWAY_TIMEOUT: { grpc: GrpcStatus.DEADLINE_EXCEEDED, http: 504, title: 'Gateway Timeout' },
  EDGE_ERR_NOT_READY: { grpc: GrpcStatus.UNAVAILABLE, http: 503, title: 'Service Unavailable' },
  EDGE_ERR_INTERNAL: { grpc: GrpcStatus.INTERNAL, http: 500, title: 'Internal Server Error' },
  GW_ERR_BAD_REQUEST: { grpc: GrpcStatus.INVALID_ARGUMENT, http: 400, title: 'Bad Request' },
  GW_ERR_NO_MOUNT: { grpc: GrpcStatus.NOT_FOUND, http: 404, title: 'Not Found' },
  GW_ERR_HEADERS_TOO_LARGE: {
    grpc: GrpcStatus.RESOURCE_EXHAUSTED,
    http: 431,
    title: 'Request Header Fields Too Large',
  },
  GW_ERR_BODY_TOO_LARGE: { grpc: GrpcStatus.RESOURCE_EXHAUSTED, http: 413, title: 'Content Too Large' },
  GW_ERR_FRAMEWORK_UNAVAILABLE: { grpc: GrpcStatus.UNAVAILABLE, http: 502, title: 'Bad Gateway' },
  GW_ERR_OVERLOADED: { grpc: GrpcStatus.RESOURCE_EXHAUSTED, http: 503, title: 'Service Unavailable' },
  GW_ERR_NOT_READY: { grpc: GrpcStatus.UNAVAILABLE, http: 503, title: 'Service Unavailable' },
  GW_ERR_QUEUE_TIMEOUT: { grpc: GrpcStatus.RESOURCE_EXHAUSTED, http: 503, title: 'Service Unavailable' },
  GW_ERR_SHUTTING_DOWN: { grpc: GrpcStatus.UNAVAILABLE, http: 503, title: 'Service Unavailable' },
  GW_ERR_DEADLINE_EXCEEDED: { grpc: GrpcStatus.DEADLINE_EXCEEDED, http: 504, title: 'Gateway Timeout' },
  GW_ERR_IDLE_TIMEOUT: { grpc: GrpcStatus.DEADLINE_EXCEEDED, http: 504, title: 'Gateway Timeout' },
  GW_ERR_MAX_DURATION: { grpc: GrpcStatus.DEADLINE_EXCEEDED, http: 504, title: 'Gateway Timeout' },
  GW_ERR_INTERNAL: { grpc: GrpcStatus.INTERNAL, http: 500, title: 'Internal Server Error' },
  FW_ERR_APPLICATION_FAILED: { grpc: GrpcStatus.UNKNOWN, http: 500, title: 'Internal Server Error' },
  FW_ERR_PROTOCOL_VIOLATION: { grpc: GrpcStatus.INTERNAL, http: 500, title: 'Internal Server Error' },
  FW_ERR_SHUTTING_DOWN: { grpc: GrpcStatus.UNAVAILABLE, http: 503, title: 'Service Unavailable' },
  FW_ERR_DEADLINE_EXCEEDED: { grpc: GrpcStatus.DEADLINE_EXCEEDED, http: 504, title: 'Gateway Timeout' },
  FW_ERR_IDLE_TIMEOUT: { grpc: GrpcStatus.DEADLINE_EXCEEDED, http: 504, title: 'Gateway Timeout' },
  FW_ERR_INTERNAL: { grpc: GrpcStatus.INTERNAL, http: 500, title: 'Internal Server Error' },
  FW_ERR_NO_APPLICATION: { grpc: GrpcStatus.NOT_FOUND, http: 404, title: 'Not Found' },
  FW_ERR_HEADERS_TOO_LARGE: {
    grpc: GrpcStatus.RESOURCE_EXHAUSTED,
    http: 431,
    title: 'Request Header Fields Too Large',
  },
  FW_ERR_BODY_TOO_LARGE: { grpc: GrpcStatus.RESOURCE_EXHAUSTED, http: 413, title: 'Content Too Large' },
  TRANSPORT_ERR_PROTOCOL: { grpc: GrpcStatus.INTERNAL, http: 502, title: 'Bad Gateway' },
  TRANSPORT_ERR_CANCELLED: { grpc: GrpcStatus.CANCELLED, http: 499, title: 'Client Closed Request' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof catalogue;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(catalogue, value);
}
