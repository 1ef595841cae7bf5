import { AppError, type ErrorCode } from '@mono/errors';
import type { Stage } from './compose';
import type { EdgeConfig } from './config';
import type { EdgeContext } from './context';
import { markClosing } from './respond-problem';

/** A Host: a reg-name or an IPv4 address, or a bracketed IPv6 address, then an optional port (RFC 9110 §7.2). */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]+)(?::\d{0,5})?$/;
/** An absolute-form request-target (RFC 9112 §3.2.2): scheme, authority, then the rest. */
const ABSOLUTE = /^https?:\/\/([^/?#]*)(.*)$/i;

/**
 * Refuses what would let the edge and the application read a request differently, before anything is forwarded:
 * no Host in HTTP/1.1, or two (400); an absolute-form target, whose authority replaces Host (RFC 9112 §3.2.2, as
 * nginx); any other target form (400); a transfer coding before the final `chunked` (501, RFC 9112 §6.1; Node's
 * parser has refused one without a final chunked with 400 as §6.3 says, and Transfer-Encoding with Content-Length); an
 * Expect other than
 * 100-continue (417); a Host that names no server of the configuration (421, a catch-all default_server).
 * The rest of the pipeline reads the request's host from `ctx.host`.
 */
export function framing(config: Pick<EdgeConfig, 'serverNames'>): Stage {
  const names = new Set(config.serverNames.filter((name) => !name.startsWith('*.')));
  const suffixes = config.serverNames.filter((name) => name.startsWith('*.')).map((name) => name.slice(1));
  const anyHost = config.serverNames.length === 0;
  return function framingStage(ctx, next) {
    const { req } = ctx;
    const raw = req.rawHeaders;
    let hosts = 0;
    let host = '';
    let codings: string | undefined;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i] as string;
      if (name.length === 4 && name.toLowerCase() === 'host') {
        hosts += 1;
        host = raw[i + 1] as string;
      } else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') {
        codings = codings === undefined ? (raw[i + 1] as string) : `${codings},${raw[i + 1] as string}`;
      }
    }
    if (hosts > 1) throw refuse(ctx, 'EDGE_ERR_BAD_REQUEST', 'the request has more than one Host field');
    if (hosts === 0 && req.httpVersionMinor >= 1 && req.httpVersionMajor === 1)
      throw refuse(ctx, 'EDGE_ERR_BAD_REQUEST', 'an HTTP/1.1 request without a Host field');
    const target = req.url ?? '';
    if (!target.startsWith('/')) host = absoluteForm(ctx, target);
    if ((hosts === 1 || host !== '') && !HOST.test(host))
      throw refuse(ctx, 'EDGE_ERR_BAD_REQUEST', 'the Host is not a host');
    if (codings !== undefined && codings.trim().toLowerCase() !== 'chunked')
      throw refuse(ctx, 'EDGE_ERR_NOT_IMPLEMENTED', `the transfer coding ${JSON.stringify(codings)} is not supported`);
    const expect = req.headers.expect;
    if (expect !== undefined && expect.toLowerCase() !== '100-continue')
      throw refuse(ctx, 'EDGE_ERR_EXPECTATION_FAILED', 'only Expect: 100-continue is supported');
    ctx.host = host;
    if (!anyHost && host !== '' && !served(hostName(host), names, suffixes))
      throw new AppError('EDGE_ERR_MISDIRECTED', 'this edge does not serve that host');
    return next();
  };
}

/** The authority of an absolute-form target, which replaces Host; the target becomes origin-form. */
function absoluteForm(ctx: EdgeContext, target: string): string {
  const match = ABSOLUTE.exec(target);
  if (match === null) throw refuse(ctx, 'EDGE_ERR_BAD_REQUEST', 'the request-target is neither a path nor a URL');
  const [, authority = '', rest = ''] = match;
  if (authority === '' || authority.includes('@'))
    throw refuse(ctx, 'EDGE_ERR_BAD_REQUEST', 'the request-target has no usable authority');
  ctx.req.url = rest.startsWith('/') ? rest : `/${rest}`;
  return authority;
}

/** An error after which the connection closes: marked at once, so that no pipelined request behind it is served. */
function refuse(ctx: EdgeContext, code: ErrorCode, message: string): AppError {
  markClosing(ctx);
  return new AppError(code, message);
}

/** The host without its port, in lower case, without a trailing dot; IPv6 stays bracketed. */
function hostName(host: string): string {
  const end = host.startsWith('[') ? host.indexOf(']') + 1 : host.lastIndexOf(':');
  const name = (end > 0 ? host.slice(0, end) : host).toLowerCase();
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

function served(name: string, names: ReadonlySet<string>, suffixes: readonly string[]): boolean {
  if (names.has(name)) return true;
  for (const suffix of suffixes) if (name.endsWith(suffix) && name.length > suffix.length) return true;
  return false;
}
