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

/** The lengths of those names: a field of another length is none of them (no lower-casing needed to know). */
const LENGTHS = new Uint8Array(32);
for (const name of HOP_BY_HOP) LENGTHS[name.length] = 1;

/**
 * Whether a field (its name as sent) could be one of the fixed hop-by-hop fields: a cheap look at its length first.
 */
export function mayBeHopByHop(name: string): boolean {
  return name.length < 32 && LENGTHS[name.length] === 1;
}

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
