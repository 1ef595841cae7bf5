import type { Server, ServerDuplexStream } from '@grpc/grpc-js';
import type { Boundary, Limits, ReplyBatch, RequestBatch } from '@mono/contracts';
import { ServerConnection, type CallHandler, type ServerErrors } from './internal/server-connection';

/** The server side of a boundary, as registered on a grpc-js server. */
export interface ExchangeService {
  /** Calls in flight over all streams. */
  readonly inFlight: number;
  /** Client streams open (each client opens one, and a second for requests with large bodies). */
  readonly streams: number;
  /**
   * Tells every client stream goaway, refuses new requests (see DrainOptions) and ends each stream once its calls are
   * done; resolves when all streams ended.
   */
  drain(options?: DrainOptions): Promise<void>;
  /**
   * What the server accepts changed (its pools announced new limits): every client stream hears it now, every new one
   * when it opens (docs/adr/0014-limits-that-agree.md).
   */
  announce(limits: Limits): void;
}

export interface DrainOptions {
  /**
   * What becomes of the requests a client sent before it heard the goaway: `refuse`d as not accepted (the default:
   * a pool sends them to another instance), or `serve`d here — when this process is being replaced at the same
   * address (a reload), where no other instance could take them.
   */
  crossing?: 'refuse' | 'serve';
}

export interface ExchangeServiceOptions {
  errors: ServerErrors;
  /** Told the size of the body bytes this service receives and sends, as they go (see MuxClientOptions). */
  onBodyBytes?: (bytes: number) => void;
  /**
   * What the server accepts of every request (its own limits, and the smaller ones of the layers behind it), sent on
   * every client stream as it opens; `announce` changes it.
   */
  limits?: Limits;
}

/**
 * Serves a boundary's Exchange method on `server`: each request multiplexed on a client's stream reaches `handler`
 * as a ServerCall.
 *
 * @example
 * const service = addExchangeService(server, frameworkBoundary, (call) => host(call), {
 *   errors: frameworkHopErrors.server,
 * });
 */
export function addExchangeService<H>(
  server: Server,
  boundary: Boundary<H>,
  handler: CallHandler<H>,
  { errors, onBodyBytes, limits }: ExchangeServiceOptions,
): ExchangeService {
  const connections = new Set<ServerConnection<H>>();
  let announced = limits;
  let draining: Required<DrainOptions> | undefined;
  let drained: (() => void) | undefined;
  const onClosed = (connection: ServerConnection<H>) => {
    connections.delete(connection);
    if (draining !== undefined && connections.size === 0) drained?.();
  };
  server.addService(boundary.definition, {
    Exchange: (stream: ServerDuplexStream<RequestBatch<H>, ReplyBatch>) => {
      const connection = new ServerConnection(stream, boundary, handler, errors, onClosed, onBodyBytes, announced);
      connections.add(connection);
      if (draining) connection.drain(draining.crossing);
    },
  });
  return {
    get inFlight() {
      let total = 0;
      for (const connection of connections) total += connection.inFlight;
      return total;
    },
    get streams() {
      return connections.size;
    },
    announce(next) {
      announced = next;
      for (const connection of connections) connection.announce(next);
    },
    drain({ crossing = 'refuse' } = {}) {
      draining = { crossing };
      const done = new Promise<void>((resolve) => {
        drained = resolve;
      });
      for (const connection of [...connections]) connection.drain(crossing);
      if (connections.size === 0) drained?.();
      return done;
    },
  };
}
