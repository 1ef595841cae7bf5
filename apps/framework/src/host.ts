import type { Environ as EnvironMessage } from '@mono/contracts';
import { AppError, isAppError } from '@mono/errors';
import type { Logger } from '@mono/telemetry';
import { readBody, type ServerCall } from '@mono/transport';
import {
  createEnviron,
  createInputStream,
  InterfaceError,
  runApplication,
  type Application,
  type Environ,
  type ErrorStream,
  type HeaderList,
  type ResponseOutput,
} from '@mono/tsgi';

export interface HostOptions {
  multiprocess: boolean;
  log: Logger;
  counter?: { requests: number };
}

/**
 * The framework's request handler: turns each call the gateway sends into an environ, runs the application
 * through the interface's host, and sends what it produces back on the call.
 */
export function createHost(
  app: Application,
  { multiprocess, log, counter }: HostOptions,
): (call: ServerCall<EnvironMessage>) => void {
  const errors = errorStream(log);
  return function host(call) {
    if (counter) counter.requests += 1;
    const environ = toEnviron(call, errors, multiprocess);
    void runApplication(app, environ, new CallOutput(call, log));
  };
}

function toEnviron(call: ServerCall<EnvironMessage>, errors: ErrorStream, multiprocess: boolean): Environ {
  const wire = call.head;
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
      input: () => createInputStream(readBody(call.body)),
      errors,
      signal: () => call.signal,
      deadline: call.deadline,
      multiprocess,
      extra: wire.variables,
    },
  );
}

/** Sends what the application produces on the call, waiting for the gateway's window when it is full. */
class CallOutput implements ResponseOutput {
  readonly #call: ServerCall<EnvironMessage>;
  readonly #log: Logger;
  #onAbort: (() => void) | undefined;
  #drained: (() => void) | undefined;

  constructor(call: ServerCall<EnvironMessage>, log: Logger) {
    this.#call = call;
    this.#log = log;
    call.onabort = () => {
      this.#drained?.();
      this.#onAbort?.();
    };
    call.ondrain = () => {
      const drained = this.#drained;
      this.#drained = undefined;
      drained?.();
    };
  }

  get aborted(): boolean {
    return this.#call.aborted;
  }

  whenAborted(listener: () => void): void {
    this.#onAbort = listener;
    if (this.#call.aborted) listener();
  }

  head(code: number, reason: string, headers: HeaderList): void {
    this.#call.respond({ status: code, reason, headers: headers.map(([name, value]) => ({ name, value })) });
  }

  write(chunk: Uint8Array): void | Promise<void> {
    if (this.#call.write(chunk) || this.#call.done) return;
    return new Promise((resolve) => {
      this.#drained = resolve;
    });
  }

  end(): void {
    this.#call.end();
  }

  fail(err: unknown, headSent: boolean): void {
    const appError = toFrameworkError(err);
    this.#log.error({ err, code: appError.code, headSent }, 'application failed');
    this.#call.fail(appError);
  }
}

function toFrameworkError(err: unknown): AppError {
  if (isAppError(err)) return err;
  if (err instanceof InterfaceError) return new AppError('FW_ERR_PROTOCOL_VIOLATION', err.message);
  return new AppError('FW_ERR_APPLICATION_FAILED', 'the application raised an error', { cause: err });
}

function errorStream(log: Logger): ErrorStream {
  return {
    write(text) {
      log.error({ stream: 'tsgi.errors' }, text.trimEnd());
    },
    writelines(lines) {
      for (const line of lines) this.write(line);
    },
    flush() {},
  };
}
