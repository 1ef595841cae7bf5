import type { ConnectionErrors } from './internal/client-connection';
import type { ServerErrors } from './internal/server-connection';

/** What the transport's failures become on each side of one hop: the `errors` of MuxClient and addExchangeService. */
export interface HopErrors {
  /** The calling service's codes (a lost stream, a deadline, an unknown failure code). */
  readonly client: Readonly<ConnectionErrors>;
  /** The serving service's codes (a deadline, a cancelled or broken request, a throwing handler, draining). */
  readonly server: Readonly<ServerErrors>;
}

/**
 * edge → gateway (gatewayBoundary): the edge's codes as the client, the gateway's as the server.
 *
 * @example
 * new MuxClient(address, gatewayBoundary, { errors: gatewayHopErrors.client });
 */
export const gatewayHopErrors: HopErrors = Object.freeze({
  client: Object.freeze({
    unavailable: 'EDGE_ERR_GATEWAY_UNAVAILABLE',
    deadline: 'EDGE_ERR_GATEWAY_TIMEOUT',
    fallback: 'EDGE_ERR_UPSTREAM_PROTOCOL',
  }),
  server: Object.freeze({
    deadline: 'GW_ERR_DEADLINE_EXCEEDED',
    idle: 'GW_ERR_IDLE_TIMEOUT',
    cancelled: 'TRANSPORT_ERR_CANCELLED',
    protocol: 'TRANSPORT_ERR_PROTOCOL',
    internal: 'GW_ERR_INTERNAL',
    shuttingDown: 'GW_ERR_SHUTTING_DOWN',
  }),
});

/**
 * gateway → framework (frameworkBoundary): the gateway's codes as the client, the framework's as the server.
 *
 * @example
 * addExchangeService(grpc.server, frameworkBoundary, host, { errors: frameworkHopErrors.server });
 */
export const frameworkHopErrors: HopErrors = Object.freeze({
  client: Object.freeze({
    unavailable: 'GW_ERR_FRAMEWORK_UNAVAILABLE',
    deadline: 'GW_ERR_DEADLINE_EXCEEDED',
    fallback: 'GW_ERR_INTERNAL',
  }),
  server: Object.freeze({
    deadline: 'FW_ERR_DEADLINE_EXCEEDED',
    idle: 'FW_ERR_IDLE_TIMEOUT',
    cancelled: 'TRANSPORT_ERR_CANCELLED',
    protocol: 'TRANSPORT_ERR_PROTOCOL',
    internal: 'FW_ERR_INTERNAL',
    shuttingDown: 'FW_ERR_SHUTTING_DOWN',
  }),
});
