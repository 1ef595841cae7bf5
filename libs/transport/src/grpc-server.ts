import { Server, ServerCredentials } from '@grpc/grpc-js';
import { serverOptions } from './channel-options';
import { Health } from './health';

/** A grpc-js server with the standard grpc.health.v1 service, NOT_SERVING until `serving()`. */
export interface GrpcServer {
  readonly server: Server;
  /**
   * Binds `host:port` (port 0 picks a free one), `[v6]:port` or `unix:/path`, and resolves with the port (0 for a
   * Unix socket).
   */
  listen(address: string): Promise<number>;
  serving(): void;
  notServing(): void;
  /** Stops at once: connections close, calls in flight fail. */
  forceShutdown(): void;
}

/**
 * @example
 * const grpc = createGrpcServer('mono.framework.v1.FrameworkService', 'framework');
 * const port = await grpc.listen('127.0.0.1:50061');
 * grpc.serving();
 */
export function createGrpcServer(rpcService: string, name: string): GrpcServer {
  const server = new Server(serverOptions);
  const health = new Health([rpcService]);
  health.addTo(server);
  return {
    server,
    listen: (address) => bind(server, address, name),
    serving: () => health.setAll(true),
    notServing: () => health.setAll(false),
    forceShutdown: () => server.forceShutdown(),
  };
}

/** Binds `address` on a grpc-js server; an address in use gives a message that names it. */
export function bind(server: Server, address: string, name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (err, bound) => {
      if (err) {
        const inUse = /EADDRINUSE|address already in use/i.test(err.message);
        const why = inUse ? 'the address is already in use' : err.message;
        reject(new Error(`${name}: cannot listen on ${address}: ${why}`, { cause: err }));
      } else resolve(address.startsWith('unix:') ? 0 : bound);
    });
  });
}
