/**
 * The fields that belong to one connection and never cross a proxy (RFC 9110 §7.6.1), in both directions: Connection
 * and every field it names, and these. Proxy-Authorization is the edge's, not the application's (as nginx does not
 * pass it on to a uwsgi application without being told to).
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Whether a field (its name in lower case) is hop-by-hop, or named by the message's Connection field. */
export function isHopByHop(lower: string, nominated: readonly string[] | undefined): boolean {
  return HOP_BY_HOP.has(lower) || (nominated !== undefined && nominated.includes(lower));
}

/** The field names a Connection field lists (`close`, `keep-alive`, `x-foo`), in lower case; none: undefined. */
export function nominatedBy(connection: string | undefined): string[] | undefined {
  if (connection === undefined || connection === '') return undefined;
  return connection
    .toLowerCase()
    .split(',')
    .map((token) => token.trim())
    .filter(Boolean);
}
