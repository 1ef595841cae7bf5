import type { BlockList, Socket } from 'node:net';
import type { EdgeConfig } from './config';
import { blockList } from './edge-file-types';

/** Peers whose answer is remembered; beyond it the memory starts afresh (a scan of many addresses cannot grow it). */
const REMEMBERED = 4_096;

/**
 * Whom the edge believes: its trusted proxies (nginx's set_real_ip_from), whose X-Forwarded-*, Forwarded and
 * X-Request-Id it keeps, and the clients it tells where the time went (Server-Timing). The answer for a peer address
 * is remembered: a few addresses, asked on every request.
 */
export class ClientTrust {
  readonly #proxies: Matcher | undefined;
  readonly #timing: Matcher | undefined;

  constructor(config: Pick<EdgeConfig, 'trustedProxies' | 'serverTimingTo'>) {
    this.#proxies = config.trustedProxies.length > 0 ? new Matcher(blockList(config.trustedProxies)) : undefined;
    this.#timing = config.serverTimingTo.length > 0 ? new Matcher(blockList(config.serverTimingTo)) : undefined;
  }

  /** Whether the peer of this connection is a trusted proxy. */
  proxy(socket: Socket): boolean {
    return this.#proxies !== undefined && this.#proxies.matches(socket.remoteAddress);
  }

  /** Whether `address` (from X-Forwarded-For) is a trusted proxy. */
  proxyAddress(address: string): boolean {
    return this.#proxies !== undefined && this.#proxies.matches(address);
  }

  /** Whether the peer of this connection gets Server-Timing. */
  timing(socket: Socket): boolean {
    return this.#timing !== undefined && this.#timing.matches(socket.remoteAddress);
  }
}

class Matcher {
  readonly #list: BlockList;
  readonly #known = new Map<string, boolean>();

  constructor(list: BlockList) {
    this.#list = list;
  }

  matches(address: string | undefined): boolean {
    if (address === undefined || address === '') return false;
    let answer = this.#known.get(address);
    if (answer === undefined) {
      answer = check(this.#list, address);
      if (this.#known.size >= REMEMBERED) this.#known.clear();
      this.#known.set(address, answer);
    }
    return answer;
  }
}

function check(list: BlockList, address: string): boolean {
  if (address.startsWith('::ffff:') && address.includes('.')) return list.check(address.slice(7), 'ipv4');
  return list.check(address, address.includes(':') ? 'ipv6' : 'ipv4');
}
