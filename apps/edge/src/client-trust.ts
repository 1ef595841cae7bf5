import type { BlockList, Socket } from 'node:net';
import type { EdgeConfig } from './config';
import { blockList } from './edge-file-types';

const PROXY = Symbol('edge.trustedProxy');
const TIMING = Symbol('edge.timingClient');
type Marked = Socket & { [PROXY]?: boolean; [TIMING]?: boolean };

/**
 * Whom the edge believes: its trusted proxies (nginx's set_real_ip_from), whose X-Forwarded-*, Forwarded and
 * X-Request-Id it keeps, and the clients it tells where the time went (Server-Timing). The answer for a connection's
 * peer is kept on its socket: asked once per connection, not per request.
 */
export class ClientTrust {
  readonly #proxies: BlockList | undefined;
  readonly #timing: BlockList | undefined;

  constructor(config: Pick<EdgeConfig, 'trustedProxies' | 'serverTimingTo'>) {
    this.#proxies = config.trustedProxies.length > 0 ? blockList(config.trustedProxies) : undefined;
    this.#timing = config.serverTimingTo.length > 0 ? blockList(config.serverTimingTo) : undefined;
  }

  /** Whether the peer of this connection is a trusted proxy. */
  proxy(socket: Socket): boolean {
    if (this.#proxies === undefined) return false;
    const marked = socket as Marked;
    return (marked[PROXY] ??= matches(this.#proxies, socket.remoteAddress));
  }

  /** Whether `address` (from X-Forwarded-For) is a trusted proxy. */
  proxyAddress(address: string): boolean {
    return this.#proxies !== undefined && matches(this.#proxies, address);
  }

  /** Whether the peer of this connection gets Server-Timing. */
  timing(socket: Socket): boolean {
    if (this.#timing === undefined) return false;
    const marked = socket as Marked;
    return (marked[TIMING] ??= matches(this.#timing, socket.remoteAddress));
  }
}

function matches(list: BlockList, address: string | undefined): boolean {
  if (address === undefined || address === '') return false;
  if (address.startsWith('::ffff:') && address.includes('.')) return list.check(address.slice(7), 'ipv4');
  return list.check(address, address.includes(':') ? 'ipv6' : 'ipv4');
}
