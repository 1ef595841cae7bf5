import type { IncomingMessage } from 'node:http';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Link,
} from '@opentelemetry/api';
import { ATTR_MONO_REQUEST_ID, ATTR_MONO_TRACE_ORIGIN } from '@mono/telemetry';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_CLIENT_PORT,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import type { Stage } from './compose';
import type { EdgeConfig } from './config';

export const TRACE_ID_HEADER = 'X-Trace-Id';

const tracer = trace.getTracer('edge');
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/**
 * The edge's HTTP SERVER span, the root of the request's trace below the client: it continues the caller's W3C
 * trace context (or, with EDGE_TRACE_INCOMING=link, starts a new trace linked to it), runs the rest of the pipeline
 * in its context, names its trace id in X-Trace-Id, and ends ERROR for a 5xx (a 4xx is the client's error).
 */
export function traceRequest(config: Pick<EdgeConfig, 'traceIncoming'>): Stage {
  return async function traceRequestStage(ctx, next) {
    const { req, res } = ctx;
    const incoming = propagation.extract(ROOT_CONTEXT, req.headers);
    const caller = trace.getSpanContext(incoming);
    const link = config.traceIncoming === 'link' && caller !== undefined;
    const parent = link ? ROOT_CONTEXT : incoming;
    const links: Link[] = link ? [{ context: caller }] : [];
    const method = KNOWN_METHODS.has(req.method ?? '') ? (req.method as string) : '_OTHER';
    // Attributes only for a span that records: building and checking them for a dropped span cost ~2 µs a request.
    const span = tracer.startSpan(method, { kind: SpanKind.SERVER, links }, parent);
    if (span.isRecording()) {
      span.setAttributes(requestAttributes(ctx.req, ctx.requestId));
      if (caller) span.setAttribute(ATTR_MONO_TRACE_ORIGIN, link ? 'linked' : 'continued');
    }
    ctx.traceId = span.spanContext().traceId;
    res.setHeader(TRACE_ID_HEADER, ctx.traceId);
    try {
      await context.with(trace.setSpan(parent, span), next);
    } finally {
      if (span.isRecording()) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, ctx.status);
      if (ctx.status >= 500) {
        span.setAttribute(ATTR_ERROR_TYPE, ctx.error?.code ?? String(ctx.status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    }
  };
}

function requestAttributes(req: IncomingMessage, requestId: string): Attributes {
  const target = req.url ?? '/';
  const mark = target.indexOf('?');
  const socket = req.socket;
  const attributes: Attributes = {
    [ATTR_HTTP_REQUEST_METHOD]: req.method,
    [ATTR_URL_PATH]: mark === -1 ? target : target.slice(0, mark),
    [ATTR_URL_SCHEME]: 'http',
    [ATTR_NETWORK_PROTOCOL_VERSION]: req.httpVersion,
    [ATTR_SERVER_ADDRESS]: socket.localAddress,
    [ATTR_SERVER_PORT]: socket.localPort,
    [ATTR_CLIENT_ADDRESS]: socket.remoteAddress,
    [ATTR_CLIENT_PORT]: socket.remotePort,
    [ATTR_MONO_REQUEST_ID]: requestId,
  };
  if (mark !== -1) attributes[ATTR_URL_QUERY] = target.slice(mark + 1);
  const agent = req.headers['user-agent'];
  if (agent) attributes[ATTR_USER_AGENT_ORIGINAL] = agent;
  return attributes;
}
