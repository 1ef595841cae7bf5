import { defineBoundary } from './boundary';
import { RequestBatch as FrameworkRequestBatch, type Environ } from './generated/mono/framework/v1/framework';
import { RequestBatch as GatewayRequestBatch, type HttpRequest } from './generated/mono/gateway/v1/gateway';
import { ReplyBatch } from './generated/mono/transport/v1/transport';

/** edge → gateway: the HTTP request as the edge received it (nginx's uwsgi_pass). */
export const gatewayBoundary = defineBoundary<HttpRequest>(
  'gateway',
  'mono.gateway.v1.GatewayService',
  GatewayRequestBatch,
  ReplyBatch,
);

/** gateway → framework: the environ the gateway built (our WSGI across a process boundary). */
export const frameworkBoundary = defineBoundary<Environ>(
  'framework',
  'mono.framework.v1.FrameworkService',
  FrameworkRequestBatch,
  ReplyBatch,
);
