import { STATUS_CODES } from 'node:http';
import type { Application, Environ, HeaderList, ResponseBody } from './environ';
import { isHopByHop } from './response-head';

/** A Web-standard handler (Hono, srvx, WinterCG): the environ comes as the second argument, like a runtime's `env`. */
export type FetchHandler = (request: Request, environ: Environ) => Response | Promise<Response>;

const BODYLESS = new Set(['GET', 'HEAD']);

/**
 * Hosts a `fetch(Request) → Response` handler as a TSGI application. The Request's URL is the one the client
 * asked for below the mount point (as Hono's `mount` strips its prefix; SCRIPT_NAME stays in the environ), its
 * body streams from `tsgi.input`, and its `signal` aborts when the client goes away.
 *
 * @example
 * const application = fromFetch((request) => new Response('Hello World!'));
 */
export function fromFetch(handler: FetchHandler): Application {
  return async function fetchApplication(environ, startResponse) {
    const request = toRequest(environ);
    const response = await handler(request, environ);
    const reason = response.statusText || STATUS_CODES[response.status] || 'Unknown';
    startResponse(`${response.status} ${reason}`, responseHeaders(response.headers));
    return toBody(response);
  };
}

function toRequest(environ: Environ): Request {
  const host = environ.HTTP_HOST || `${environ.SERVER_NAME}:${environ.SERVER_PORT}`;
  const target =
    environ.SCRIPT_NAME !== '' && environ.REQUEST_URI.startsWith(environ.SCRIPT_NAME)
      ? environ.REQUEST_URI.slice(environ.SCRIPT_NAME.length) || '/'
      : environ.REQUEST_URI;
  const url = `${environ['tsgi.url_scheme']}://${host}${target.startsWith('/') ? target : `/${target}`}`;
  const headers = new Headers();
  for (const [name, value] of environ['tsgi.headers']) {
    if (!isHopByHop(name)) headers.append(name, value);
  }
  const init: RequestInit & { duplex?: 'half' } = {
    method: environ.REQUEST_METHOD,
    headers,
    signal: environ['tsgi.signal'],
  };
  if (!BODYLESS.has(environ.REQUEST_METHOD)) {
    init.body = ReadableStream.from(environ['tsgi.input']) as ReadableStream<Uint8Array>;
    init.duplex = 'half';
  }
  return new Request(url, init);
}

function responseHeaders(headers: Headers): HeaderList {
  const list: HeaderList = [];
  for (const [name, value] of headers) {
    if (name === 'set-cookie' || isHopByHop(name)) continue;
    list.push([name, value]);
  }
  for (const cookie of headers.getSetCookie()) list.push(['set-cookie', cookie]);
  return list;
}

function toBody(response: Response): ResponseBody {
  const stream = response.body;
  if (!stream) return [];
  const reader = stream.getReader();
  return {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    },
    close() {
      return reader.cancel().catch(() => {});
    },
  };
}
