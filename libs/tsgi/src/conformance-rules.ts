/** Who broke a rule: the server (the gateway and host that call the application) or the application. */
export type ConformanceSide = 'server' | 'application';

export interface ConformanceRule {
  side: ConformanceSide;
  /** The rule, as README.md states it. */
  rule: string;
}

/**
 * The rules `validator` checks (wsgiref.validate's assertions, for this interface), by a stable id that every
 * violation names. Ids never change once released; README.md lists them.
 */
export const CONFORMANCE_RULES = {
  'environ.keys': { side: 'server', rule: 'the environ has every CGI variable and tsgi.* key the interface defines' },
  'environ.types': {
    side: 'server',
    rule: 'CGI variables are strings; tsgi.* keys have their types (version [1, 0], url_scheme http|https, …)',
  },
  'environ.http-vars': {
    side: 'server',
    rule: 'Content-Type and Content-Length are CONTENT_TYPE and CONTENT_LENGTH, never HTTP_CONTENT_*',
  },
  'environ.content-length': { side: 'server', rule: 'CONTENT_LENGTH is "" or a decimal number of bytes' },
  'environ.script-name': { side: 'server', rule: 'SCRIPT_NAME is "" or starts with "/" and does not end with "/"' },
  'environ.path-info': {
    side: 'server',
    rule: 'PATH_INFO is "" or starts with "/", and is "/" at least when SCRIPT_NAME is ""',
  },
  'input.bytes': { side: 'server', rule: 'tsgi.input gives Uint8Arrays, read(n) and readline(n) at most n bytes' },
  'input.length': { side: 'server', rule: 'tsgi.input gives no more bytes than CONTENT_LENGTH' },
  'start_response.flush': { side: 'server', rule: 'start_response returns the flush() function' },
  'start_response.exc-info': {
    side: 'server',
    rule: 'start_response with excInfo after the head was sent throws excInfo',
  },
  'body.close': {
    side: 'server',
    rule: 'close() is called exactly once, within 1 s of the body ending, failing or the request being aborted',
  },
  'body.read-after-close': { side: 'server', rule: 'the body is not read after close()' },
  'status.line': { side: 'application', rule: 'the status is "<3-digit code from 100 to 599> <reason>"' },
  'headers.list': { side: 'application', rule: 'the headers are an array of [name, value] pairs of strings' },
  'headers.name': { side: 'application', rule: 'a header name is an HTTP token and not "Status"' },
  'headers.value': { side: 'application', rule: 'a header value has no control characters but tab' },
  'headers.hop-by-hop': {
    side: 'application',
    rule: 'hop-by-hop fields (Connection, Transfer-Encoding, …) are the server’s, not the application’s',
  },
  'start_response.once': { side: 'application', rule: 'start_response is called once, again only with excInfo' },
  'start_response.before-body': {
    side: 'application',
    rule: 'start_response is called before the body gives its first chunk or ends',
  },
  'body.iterable': {
    side: 'application',
    rule: 'the application returns an iterable or async iterable of chunks (not a string, not one Uint8Array)',
  },
  'body.chunks': { side: 'application', rule: 'body chunks are Uint8Arrays' },
  'body.no-content': { side: 'application', rule: 'a 1xx, 204 or 304 response has no body bytes' },
  'errors.text': { side: 'application', rule: 'tsgi.errors is written strings' },
  'input.size': { side: 'application', rule: 'read(size) and readline(size) take no size or an integer ≥ 0' },
  'input.past-length': {
    side: 'application',
    rule: 'no read(size) or readline(size) once CONTENT_LENGTH bytes were read (read() and iteration may read to the end)',
  },
  'signal.honoured': {
    side: 'application',
    rule: 'after tsgi.signal aborts, the body ends or throws within 1 s',
  },
} as const satisfies Record<string, ConformanceRule>;

export type ConformanceRuleId = keyof typeof CONFORMANCE_RULES;
