import type { Environ as EnvironMessage } from '@mono/contracts';
import type { Logger } from '@mono/telemetry';
import { readBody, type ServerCall } from '@mono/transport';
import { environFromMessage, toApplicationError } from '@mono/tsgi-server';
import {
  createInputStream,
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
  return environFromMessage(call.head, {
    input: () => createInputStream(readBody(call.body)),
    errors,
    signal: () => call.signal,
    deadline: call.deadline,
    multiprocess,
  });
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
    const appError = toApplicationError(err);
    this.#log.error({ err, code: appError.code, headSent }, 'application failed');
    this.#call.fail(appError);
  }
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
