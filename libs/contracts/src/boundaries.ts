import { defineBoundary } from './boundary';
import { Environ, RequestBatch as FrameworkRequestBatch } from './generated/mono/framework/v1/framework';
import { HttpRequest, RequestBatch as GatewayRequestBatch } from './generated/mono/gateway/v1/gateway';

/** edge → gateway: the HTTP request as the edge received it (nginx's uwsgi_pass). */
export const gatewayBoundary = defineBoundary<HttpRequest>(
  'gateway',
  'mono.gateway.v1.GatewayService',
  GatewayRequestBatch,
  HttpRequest,
);

/** gateway → framework: the environ the gateway built (our WSGI across a process boundary). */
export const frameworkBoundary = defineBoundary<Environ>(
  'framework',
  'mono.framework.v1.FrameworkService',
  FrameworkRequestBatch,
  Environ,
);
