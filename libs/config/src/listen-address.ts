/**
 * A gRPC server's listen address as its configuration gives it, in grpc-js's form: `host:port`, `[v6]:port`, or
 * `unix:/path` for a Unix domain socket (how the seed's nginx reaches uWSGI, for services on one host).
 */

/** The address with a service's HOST/PORT variables applied. They name a TCP address: where the file names a Unix
 * socket, one of them alone gives `host:port` with the other's default. */
export function applyHostPort(
  listen: string,
  host: string | undefined,
  port: number | undefined,
  defaults: { host: string; port: number },
): string {
  if (host === undefined && port === undefined) return listen;
  const current = isUnix(listen) ? { host: defaults.host, port: String(defaults.port) } : splitHostPort(listen);
  return joinHostPort(host ?? current.host, String(port ?? current.port));
}

/** The address a server bound, for logs and clients: the port it got in place of 0; a socket's path as it is. */
export function boundAddress(listen: string, port: number): string {
  return isUnix(listen) ? listen : joinHostPort(splitHostPort(listen).host, String(port));
}

export function isUnix(address: string): boolean {
  return address.startsWith('unix:');
}

/** `host:port` or `[v6]:port` into its parts, the brackets taken off. */
export function splitHostPort(address: string): { host: string; port: string } {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon).replace(/^\[|\]$/g, ''), port: address.slice(colon + 1) };
}

export function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Where a client on the same host (a container's healthcheck) reaches the server: its socket, or its port on
 * 127.0.0.1 (the server may bind 0.0.0.0). */
export function localAddress(listen: string): string {
  return isUnix(listen) ? listen : `127.0.0.1:${splitHostPort(listen).port}`;
}
