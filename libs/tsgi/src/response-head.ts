import type { HeaderList } from './environ';
import { InterfaceError } from './interface-error';

export interface ParsedStatus {
  code: number;
  reason: string;
}

const STATUS = /^([1-9]\d\d) ([^\0-\x1f\x7f]*)$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\0\r\n]/;
/** Connection-level fields the server owns (PEP 3333 "Other HTTP Features"); an application must not set them. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
]);

/** `"404 Not Found"` → `{ code: 404, reason: 'Not Found' }`; throws InterfaceError on anything else. */
export function parseStatus(status: unknown): ParsedStatus {
  const match = typeof status === 'string' ? STATUS.exec(status) : null;
  if (!match) {
    throw new InterfaceError(`status must be "<3-digit code> <reason>", got ${JSON.stringify(status)}`);
  }
  return { code: Number(match[1]), reason: match[2] as string };
}

/** Checks what an application passed as headers: `[name, value]` string pairs, valid names, no hop-by-hop fields. */
export function checkHeaders(headers: unknown): HeaderList {
  if (!Array.isArray(headers)) throw new InterfaceError('headers must be an array of [name, value] pairs');
  for (const pair of headers) {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      throw new InterfaceError(`each header must be a [name, value] pair of strings, got ${JSON.stringify(pair)}`);
    }
    const [name, value] = pair as [string, string];
    if (!TOKEN.test(name)) throw new InterfaceError(`invalid header name ${JSON.stringify(name)}`);
    if (BAD_VALUE.test(value)) throw new InterfaceError(`header ${name} has a control character in its value`);
    if (HOP_BY_HOP.has(name.toLowerCase())) {
      throw new InterfaceError(`hop-by-hop header ${name} is the server's to set, not the application's`);
    }
  }
  return headers as HeaderList;
}

export function isHopByHop(name: string): boolean {
  return HOP_BY_HOP.has(name.toLowerCase());
}

/** Whether a response with this status may carry a body (RFC 9110: not 1xx, 204 or 304). */
export function statusAllowsBody(code: number): boolean {
  return code >= 200 && code !== 204 && code !== 304;
}
