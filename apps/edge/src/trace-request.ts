import type { IncomingMessage } from 'node:http';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanContext,
} from '@opentelemetry/api';
import {
  ATTR_MONO_REQUEST_ID,
  ATTR_MONO_TRACE_ORIGIN,
  HopTracer,
  KNOWN_HTTP_METHODS,
  randomSpanId,
  randomTraceId,
  tracingOff,
  unrecordedRootContext,
  unsampledBelow,
} from '@mono/telemetry';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_CLIENT_PORT,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_NETWORK_LOCAL_ADDRESS,
  ATTR_NETWORK_LOCAL_PORT,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
  HTTP_REQUEST_METHOD_VALUE_OTHER,
} from '@opentelemetry/semantic-conventions';
import type { Stage } from './compose';
import type { EdgeConfig } from './config';
import type { EdgeState } from './edge-state';
import { addOwnField } from './edge-response';
import { isHealthCheck } from './health';

export const TRACE_ID_HEADER = 'X-Trace-Id';

const tracer = new HopTracer('edge');
/** Host header: a name, an IPv4 address or a bracketed IPv6 address, then an optional port. */
const HOST = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/;

/**
 * The edge's HTTP SERVER span, the root of the request's trace below the client: it continues the caller's trace
 * context (or, with EDGE_TRACE_INCOMING=link, starts a new trace linked to it), runs the rest of the pipeline in its
 * context, names its trace id in X-Trace-Id, and ends ERROR for a 5xx (a 4xx is the client's error; an error the edge answered names its code in error.type either way). Attributes
 * follow the HTTP server semantic conventions (1.45); health checks are not traced unless EDGE_HEALTH_QUIET is false.
 * A sampled trace is counted in `state.sampled`.
 */
export function traceRequest(
  config: Pick<EdgeConfig, 'traceIncoming' | 'healthPath' | 'healthQuiet'>,
  state: Pick<EdgeState, 'sampled'>,
): Stage {
  return async function traceRequestStage(ctx, next) {
    const { req, res } = ctx;
    if (config.healthQuiet && isHealthCheck(req, config.healthPath)) {
      await next();
      return;
    }
    const incoming = propagation.extract(ROOT_CONTEXT, req.headers);
    const caller = trace.getSpanContext(incoming);
    const link = config.traceIncoming === 'link' && caller !== undefined;
    const parent = link ? ROOT_CONTEXT : incoming;
    const links: Link[] = link ? [{ context: caller }] : [];
    // Span name: the method, or HTTP for one outside the known set (its attribute is then _OTHER).
    const method = KNOWN_HTTP_METHODS.has(req.method ?? '') ? (req.method as string) : 'HTTP';
    // Attributes only for a span that records: building and checking them for a dropped span cost ~2 µs a request.
    const span =
      tracingOff() || unsampledBelow(parent)
        ? unrecorded(parent)
        : tracer.startSpan(method, SpanKind.SERVER, parent, undefined, links);
    if (span.isRecording()) {
      if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0) state.sampled += 1;
      span.setAttributes(requestAttributes(ctx.req, ctx.requestId));
      if (caller) span.setAttribute(ATTR_MONO_TRACE_ORIGIN, link ? 'linked' : 'continued');
    }
    ctx.traceId = span.spanContext().traceId;
    addOwnField(res, TRACE_ID_HEADER, ctx.traceId);
    try {
      const active =
        parent === ROOT_CONTEXT && !span.isRecording() ? unrecordedRootContext(span) : trace.setSpan(parent, span);
      await context.with(active, next);
    } finally {
      if (span.isRecording()) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, ctx.status);
      if (ctx.error !== undefined && span.isRecording()) span.setAttribute(ATTR_ERROR_TYPE, ctx.error.code);
      if (ctx.status >= 500) {
        if (ctx.error === undefined) span.setAttribute(ATTR_ERROR_TYPE, String(ctx.status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    }
  };
}

/**
 * The span the SDK's startSpan makes when nothing will record it (always_off, or parent-based under an unsampled
 * parent): not recording, the parent's trace or a new one, a span id of its own. Made here without the sampler, id
 * generator and span counters the SDK runs on the way, ~0.7 µs a request with tracing off.
 */
function unrecorded(parent: Context): Span {
  const caller = trace.getSpanContext(parent);
  if (caller === undefined || !trace.isSpanContextValid(caller))
    return trace.wrapSpanContext({ traceId: randomTraceId(), spanId: randomSpanId(), traceFlags: TraceFlags.NONE });
  const spanContext: SpanContext = { traceId: caller.traceId, spanId: randomSpanId(), traceFlags: TraceFlags.NONE };
  if (caller.traceState !== undefined) spanContext.traceState = caller.traceState;
  return trace.wrapSpanContext(spanContext);
}

function requestAttributes(req: IncomingMessage, requestId: string): Attributes {
  const target = req.url ?? '/';
  const mark = target.indexOf('?');
  const socket = req.socket;
  const method = req.method ?? '';
  const scheme = 'encrypted' in socket && socket.encrypted ? 'https' : 'http';
  const attributes: Attributes = {
    [ATTR_HTTP_REQUEST_METHOD]: KNOWN_HTTP_METHODS.has(method) ? method : HTTP_REQUEST_METHOD_VALUE_OTHER,
    [ATTR_URL_PATH]: mark === -1 ? target : target.slice(0, mark),
    [ATTR_URL_SCHEME]: scheme,
    [ATTR_NETWORK_PROTOCOL_VERSION]: req.httpVersion,
    [ATTR_NETWORK_LOCAL_ADDRESS]: socket.localAddress,
    [ATTR_NETWORK_LOCAL_PORT]: socket.localPort,
    [ATTR_CLIENT_ADDRESS]: socket.remoteAddress,
    [ATTR_CLIENT_PORT]: socket.remotePort,
    [ATTR_MONO_REQUEST_ID]: requestId,
  };
  if (!KNOWN_HTTP_METHODS.has(method)) attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = method;
  const host = HOST.exec(req.headers.host ?? '');
  if (host?.[1]) {
    attributes[ATTR_SERVER_ADDRESS] = host[1].startsWith('[') ? host[1].slice(1, -1) : host[1];
    attributes[ATTR_SERVER_PORT] = host[2] === undefined ? (scheme === 'https' ? 443 : 80) : Number(host[2]);
  }
  if (mark !== -1) attributes[ATTR_URL_QUERY] = target.slice(mark + 1);
  const agent = req.headers['user-agent'];
  if (agent) attributes[ATTR_USER_AGENT_ORIGINAL] = agent;
  return attributes;
}
