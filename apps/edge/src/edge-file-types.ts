import { BlockList, isIP } from 'node:net';
import * as v from 'valibot';

/** Schema pieces of the edge's file that only the edge uses (libs/config has the shared ones). */

/** An RFC 9110 token: a header field name. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A field value nginx would send: visible ASCII, spaces and tabs; no CR, LF or NUL (no header injection). */
const FIELD_VALUE = /^[\t\x20-\x7e]*$/;
/** A host name (labels of letters, digits and hyphens), optionally `*.` before it (any subdomain). */
const HOST_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** An address or a network in CIDR notation: `10.0.0.0/8`, `192.0.2.7`, `2001:db8::/32`, `::1`. */
export function cidr() {
  return v.pipe(v.string(), v.check(isCidr, 'expected an address or a CIDR network (10.0.0.0/8, 2001:db8::/32)'));
}

/**
 * A server name as a client writes it in Host: a host name (or `*.example.com`), an IPv4 address or `[IPv6]`; `*`
 * alone is any host.
 */
export function serverName() {
  return v.pipe(
    v.string(),
    v.check(
      (name) =>
        name === '*' ||
        HOST_NAME.test(name) ||
        isIP(name) === 4 ||
        (/^\[.*\]$/.test(name) && isIP(name.slice(1, -1)) === 6),
      'expected a host name (or *.name), an IPv4 address or a bracketed IPv6 address',
    ),
    v.toLowerCase(),
  );
}

/** Header fields to add: name → value, both checked so that no value can split a response or request. */
export function headerFields() {
  return v.record(
    v.pipe(v.string(), v.regex(TOKEN, "a header name is a token (letters, digits, !#$%&'*+-.^_`|~)")),
    v.pipe(v.string(), v.regex(FIELD_VALUE, 'a header value has no control characters (CR, LF, NUL)')),
  );
}

/** A network list as a BlockList; IPv4-mapped IPv6 peers (`::ffff:10.0.0.1`) match their IPv4 networks. */
export function blockList(networks: readonly string[]): BlockList {
  const list = new BlockList();
  for (const network of networks) {
    const [address = '', bits] = network.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list;
}

function isCidr(value: string): boolean {
  const [address = '', bits, extra] = value.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}
