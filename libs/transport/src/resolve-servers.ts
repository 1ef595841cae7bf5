import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** Looks a host name up: every address it has (Docker's and Kubernetes' DNS name one per instance). */
export type Resolver = (host: string) => Promise<string[]>;

export const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, order: 'ipv4first' })).map((entry) => entry.address);

/**
 * The addresses behind a pool's servers: `unix:/path` and IP literals as they are, each host name as every address
 * it resolves to, with the server's port. A name that does not resolve contributes nothing and is named in `failed`.
 *
 * @example
 * await resolveServers(['gateway:50051'], systemResolver) // { addresses: ['172.18.0.3:50051', '172.18.0.4:50051'], … }
 */
export async function resolveServers(
  servers: readonly string[],
  resolver: Resolver,
): Promise<{ addresses: string[]; failed: string[] }> {
  const failed: string[] = [];
  const resolved = await Promise.all(
    servers.map(async (server): Promise<string[]> => {
      if (server.startsWith('unix:')) return [server];
      const colon = server.lastIndexOf(':');
      const host = server.slice(0, colon).replace(/^\[|\]$/g, '');
      const port = server.slice(colon + 1);
      if (isIP(host) !== 0) return [joinHostPort(host, port)];
      try {
        return (await resolver(host)).map((address) => joinHostPort(address, port));
      } catch {
        failed.push(server);
        return [];
      }
    }),
  );
  // In the order the servers are listed: round-robin starts with the first one, as nginx's does.
  return { addresses: [...new Set(resolved.flat())], failed };
}

function joinHostPort(host: string, port: string): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
