import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { Boundary } from '@mono/contracts';
import type { AppError } from '@mono/errors';
import {
  grpcAttributes,
  HopTracer,
  grpcStatusAttributes,
  passedTraceparent,
  unsampledBelow,
  w3cRemoteContext,
} from '@mono/telemetry';
import {
  ATTR_ERROR_TYPE,
  ATTR_NETWORK_TRANSPORT,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  NETWORK_TRANSPORT_VALUE_UNIX,
} from '@opentelemetry/semantic-conventions';

/**
 * The per-request CLIENT and SERVER spans of a hop. grpc-js's instrumentation would see one call per long-lived
 * stream, so the transport makes these through the OpenTelemetry API and carries the context in `Call.trace_context`
 * (ADR-0001); with no SDK registered they are no-ops, and below an unsampled parent none is made at all.
 */
const tracer = new HopTracer('@mono/transport');

export interface RequestSpan {
  readonly span: Span;
  /** The context the call's callbacks run in: its span active, with the caller's baggage. */
  readonly context: Context;
}

export function startClientSpan(
  boundary: Boundary<unknown>,
  address: string,
): RequestSpan & { carrier: Record<string, string> } {
  const parent = context.active();
  const carrier: Record<string, string> = {};
  if (unsampledBelow(parent)) {
    const traceparent = passedTraceparent(parent);
    if (traceparent === undefined) propagation.inject(parent, carrier);
    else carrier.traceparent = traceparent;
    return { span: trace.getSpan(parent) as Span, context: parent, carrier };
  }
  const span = tracer.startSpan(`${boundary.rpcService}/Exchange`, SpanKind.CLIENT, parent);
  if (span.isRecording()) span.setAttributes({ ...rpcAttributes(boundary), ...serverAttributes(address) });
  const active = trace.setSpan(parent, span);
  propagation.inject(active, carrier);
  return { span, context: active, carrier };
}

export function startServerSpan(boundary: Boundary<unknown>, carrier: Readonly<Record<string, string>>): RequestSpan {
  const parent = w3cRemoteContext(carrier) ?? propagation.extract(ROOT_CONTEXT, carrier);
  if (unsampledBelow(parent)) return { span: trace.getSpan(parent) as Span, context: parent };
  const span = tracer.startSpan(`${boundary.rpcService}/Exchange`, SpanKind.SERVER, parent);
  if (span.isRecording()) span.setAttributes(rpcAttributes(boundary));
  return { span, context: trace.setSpan(parent, span) };
}

/** Ends a request span: status ERROR with `error.type` = the catalogue code when the request failed at this hop. */
export function endRequestSpan(span: Span | undefined, error?: AppError): void {
  if (span === undefined || !span.isRecording()) return;
  span.setAttributes(grpcStatusAttributes(error?.grpcStatus ?? 0));
  if (error) {
    span.setAttribute(ATTR_ERROR_TYPE, error.code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  }
  span.end();
}

/**
 * server.address and server.port of an upstream address (`host:port`, `[v6]:port`), or server.address and
 * network.transport `unix` for a Unix socket (`unix:/path`), which has no port: a NaN there made Jaeger refuse to
 * return the whole trace.
 */
export function serverAttributes(address: string): Attributes {
  if (address.startsWith('unix:'))
    return { [ATTR_SERVER_ADDRESS]: address.slice(5), [ATTR_NETWORK_TRANSPORT]: NETWORK_TRANSPORT_VALUE_UNIX };
  const colon = address.lastIndexOf(':');
  const port = colon === -1 ? NaN : Number(address.slice(colon + 1));
  const host = colon === -1 || !Number.isInteger(port) ? address : address.slice(0, colon);
  const attributes: Attributes = { [ATTR_SERVER_ADDRESS]: host.replace(/^\[(.*)\]$/, '$1') };
  if (Number.isInteger(port)) attributes[ATTR_SERVER_PORT] = port;
  return attributes;
}

/** rpc.system.name and the fully-qualified rpc.method (semantic conventions 1.45). */
function rpcAttributes(boundary: Boundary<unknown>): Attributes {
  return grpcAttributes(boundary.rpcService, 'Exchange');
}
