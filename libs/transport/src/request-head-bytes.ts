import { isDecoded, type Header, type HeaderFields } from '@mono/contracts';

/**
 * The size of a request head as HTTP/1.1 writes it — `method SP target SP protocol CRLF`, then `name: value CRLF` per
 * field, then `CRLF` — the one measure every layer's header limit counts (mono.transport.v1.Limits.header_bytes), so
 * that the edge, measuring what it forwards, and the gateway and framework, measuring what they receive, agree. It
 * counts characters: the head's strings hold one character per byte the edge received. Fields kept as received
 * (WireHeaders) are counted from their bytes, to the same sum.
 *
 * @example
 * requestHeadBytes('GET', '/', 'HTTP/1.1', [{ name: 'Host', value: 'a' }]) // 26: "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
 */
export function requestHeadBytes(method: string, target: string, protocol: string, headers: HeaderFields): number {
  let bytes = method.length + target.length + protocol.length + 6;
  if (!isDecoded(headers)) return bytes + headers.headBytes();
  for (let i = 0; i < headers.length; i += 1) {
    const header = headers[i] as Header;
    bytes += header.name.length + header.value.length + 4;
  }
  return bytes;
}
