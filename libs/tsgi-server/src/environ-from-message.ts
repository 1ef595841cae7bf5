import type { Environ as EnvironMessage } from '@mono/contracts';
import { createEnviron, type Environ, type LiveParts } from '@mono/tsgi';

/** What the process that runs the application adds to the gateway's environ message. */
export type LiveEnvironParts = Omit<LiveParts, 'urlScheme' | 'headers' | 'inputTerminated' | 'extra'>;

/**
 * The environ an application gets from the environ message a gateway built (`buildEnviron`): the CGI variables, the
 * HTTP_* view of the raw headers, and the live `tsgi.*` parts of the process that runs the application.
 *
 * @example
 * const environ = environFromMessage(call.head, { input, errors, signal, deadline, multiprocess: false });
 */
export function environFromMessage(wire: EnvironMessage, live: LiveEnvironParts): Environ {
  const headers = wire.headers.map(({ name, value }) => [name, value] as const);
  return createEnviron(
    {
      REQUEST_METHOD: wire.requestMethod,
      SCRIPT_NAME: wire.scriptName,
      PATH_INFO: wire.pathInfo,
      QUERY_STRING: wire.queryString,
      CONTENT_TYPE: wire.contentType,
      CONTENT_LENGTH: wire.contentLength,
      SERVER_NAME: wire.serverName,
      SERVER_PORT: wire.serverPort,
      SERVER_PROTOCOL: wire.serverProtocol,
      REMOTE_ADDR: wire.remoteAddr,
      REMOTE_PORT: wire.remotePort,
      REQUEST_URI: wire.requestUri,
    },
    {
      urlScheme: wire.urlScheme === 'https' ? 'https' : 'http',
      headers,
      inputTerminated: wire.inputTerminated,
      input: live.input,
      errors: live.errors,
      signal: live.signal,
      deadline: live.deadline,
      multiprocess: live.multiprocess,
      extra: wire.variables,
      env: live.env,
    },
  );
}
