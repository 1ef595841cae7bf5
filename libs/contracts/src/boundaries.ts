import { environCodec, forwardedEnvironCodec, forwardedHttpRequestCodec, httpRequestCodec } from './head-codecs';
import type { EnvironOf, HttpRequestOf } from './head-codecs';
import { defineBoundary } from './boundary';
import type { Environ } from './generated/mono/framework/v1/framework';
import type { HttpRequest } from './generated/mono/gateway/v1/gateway';
import type { WireHeaders } from './wire-headers';

/** edge → gateway: the HTTP request as the edge received it (nginx's uwsgi_pass). */
export const gatewayBoundary = defineBoundary<HttpRequest>(
  'gateway',
  'mono.gateway.v1.GatewayService',
  httpRequestCodec,
);

/** gateway → framework: the environ the gateway built (our WSGI across a process boundary). */
export const frameworkBoundary = defineBoundary<Environ>(
  'framework',
  'mono.framework.v1.FrameworkService',
  environCodec,
);

/** A request, and the environ built from it, whose header fields stay as the edge encoded them. */
export type ForwardedRequest = HttpRequestOf<WireHeaders>;
export type ForwardedEnviron = EnvironOf<WireHeaders>;

/**
 * The same two boundaries as the gateway speaks them, serving the first and calling the second: the same bytes on
 * the wire, but the request's header fields are held as received and written into the environ as they came, read
 * only for the few the environ's variables need (docs/adr/0040-header-fields-forwarded-as-received.md).
 */
export const forwardingGatewayBoundary = defineBoundary<ForwardedRequest>(
  'gateway',
  'mono.gateway.v1.GatewayService',
  forwardedHttpRequestCodec,
);

export const forwardingFrameworkBoundary = defineBoundary<ForwardedEnviron>(
  'framework',
  'mono.framework.v1.FrameworkService',
  forwardedEnvironCodec,
);
