import { environCodec, httpRequestCodec } from './head-codecs';
import { defineBoundary } from './boundary';
import type { Environ } from './generated/mono/framework/v1/framework';
import type { HttpRequest } from './generated/mono/gateway/v1/gateway';

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
