import { isDecoded, type EnvironOf, type HeaderFields, type HttpRequestOf } from '@mono/contracts';
import { AppError } from '@mono/errors';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The environ for a request as the edge received it (what uWSGI builds from the uwsgi packet): the mount point
 * with the longest match becomes SCRIPT_NAME, the rest of the path PATH_INFO (percent-decoded), the query string
 * stays as received. `mounts` are sorted longest first; "" is the root. The application is the framework's default one
 * (""); a gateway whose mount names another sets `application`. The header fields go on as they came, decoded or kept
 * as received (WireHeaders), of which only Host, Content-Type and Content-Length are read.
 *
 * @example
 * buildEnviron(request, ['/app', '']).scriptName // '/app' for GET /app/hello
 */
export function buildEnviron<F extends HeaderFields>(
  request: HttpRequestOf<F>,
  mounts: readonly string[],
): EnvironOf<F> {
  const { path, query } = splitTarget(request.target);
  const mount = mounts.find((m) => path === m || path.startsWith(`${m}/`) || m === '');
  if (mount === undefined) throw new AppError('GW_ERR_NO_MOUNT', `no application is mounted at ${path}`);
  const fields = request.headers;
  const contentType = firstValue(fields, 'content-type');
  const contentLength = firstValue(fields, 'content-length');
  const hostHeader = firstValue(fields, 'host');
  const variables: Record<string, string> = { REQUEST_ID: request.requestId };
  if (request.scheme === 'https') variables['HTTPS'] = 'on';
  return {
    requestMethod: request.method,
    scriptName: mount,
    pathInfo: decodePath(path.slice(mount.length)),
    queryString: query,
    contentType,
    contentLength,
    serverName: hostName(hostHeader) || request.server?.address || '',
    serverPort: String(request.server?.port ?? ''),
    serverProtocol: request.protocol,
    remoteAddr: request.client?.address ?? '',
    remotePort: String(request.client?.port ?? ''),
    urlScheme: request.scheme === 'https' ? 'https' : 'http',
    headers: request.headers,
    requestUri: request.target,
    variables,
    application: '',
    inputTerminated: request.bodyLengthUnknown && contentLength === '',
  };
}

/** The first non-empty value of the fields named `lowerName`; '' if none has one. */
function firstValue(fields: HeaderFields, lowerName: string): string {
  if (!isDecoded(fields)) return fields.value(lowerName);
  for (const { name, value } of fields) if (value !== '' && name.toLowerCase() === lowerName) return value;
  return '';
}

/** Splits an origin-form (`/p?q`) or absolute-form (`http://h/p?q`) request-target. */
function splitTarget(target: string): { path: string; query: string } {
  let start = 0;
  if (!target.startsWith('/')) {
    const scheme = /^https?:\/\/[^/?#]*/i.exec(target);
    if (!scheme)
      throw new AppError('GW_ERR_BAD_REQUEST', `unsupported request-target ${JSON.stringify(target.slice(0, 80))}`);
    start = scheme[0].length;
  }
  const mark = target.indexOf('?', start);
  const path = mark === -1 ? target.slice(start) : target.slice(start, mark);
  return { path: path === '' ? '/' : path, query: mark === -1 ? '' : target.slice(mark + 1) };
}

/** Percent-decodes a path: UTF-8 when the bytes are UTF-8, else one character per byte (PEP 3333's latin-1). */
function decodePath(raw: string): string {
  if (!raw.includes('%')) return raw;
  const bytes = Buffer.from(raw, 'latin1');
  const out = Buffer.allocUnsafe(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i] as number;
    if (byte !== 0x25) {
      out[n++] = byte;
      continue;
    }
    const hex = raw.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new AppError('GW_ERR_BAD_REQUEST', `invalid percent-encoding in path`);
    out[n++] = Number.parseInt(hex, 16);
    i += 2;
  }
  const decoded = out.subarray(0, n);
  try {
    return UTF8.decode(decoded);
  } catch {
    return decoded.toString('latin1');
  }
}

function hostName(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}
