import { isIP } from 'node:net';
import type { ClientTrust } from './client-trust';

/** Forwarded's token characters (RFC 7230 tchar); anything else is sent as a quoted-string. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * The client behind a trusted proxy, as nginx's realip module finds it with `real_ip_recursive on`: X-Forwarded-For
 * read from the right, past every address that is itself a trusted proxy; the first one that is not is the client
 * (all trusted: the leftmost). Its scheme is X-Forwarded-Proto's entry at the same place from the right (a proxy that
 * sets one value instead of appending: that value), else the connection's.
 */
export function realClient(
  xff: string,
  xfp: string | undefined,
  peer: string,
  scheme: string,
  trust: ClientTrust,
): { address: string; scheme: string } {
  const hops = xff.split(',');
  let address = peer;
  let index = -1;
  for (let i = hops.length - 1; i >= 0; i -= 1) {
    const hop = (hops[i] as string).trim();
    if (isIP(hop) === 0) break;
    address = hop;
    index = hops.length - 1 - i;
    if (!trust.proxyAddress(hop)) break;
  }
  if (index === -1 || xfp === undefined) return { address, scheme };
  const protos = xfp.split(',');
  const proto = (protos[Math.max(0, protos.length - 1 - index)] as string).trim().toLowerCase();
  return { address, scheme: proto === 'https' || proto === 'http' ? proto : scheme };
}

/** This hop's Forwarded element (RFC 7239): `for=…;host=…;proto=…`, IPv6 and odd values quoted. */
export function forwardedFor(peer: string, host: string, scheme: string): string {
  const node = peer.includes(':') ? `"[${peer}]"` : peer;
  const element = `for=${node || 'unknown'}`;
  return host === '' ? `${element};proto=${scheme}` : `${element};host=${quote(host)};proto=${scheme}`;
}

function quote(value: string): string {
  if (TOKEN.test(value)) return value;
  // A host with a port is quoted on every request; the replace, whose `$&` V8 runs in its runtime, only when needed.
  if (!value.includes('"') && !value.includes('\\')) return `"${value}"`;
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}
