import type { Environ as EnvironMessage } from '@mono/contracts';
import type { Logger } from '@mono/telemetry';
import type { ServerCall } from '@mono/transport';
import type { Environ, HeaderList, HostResponse, ResponseBody, ResponseOutput } from '@mono/tsgi';
import { toApplicationError } from '@mono/tsgi-server';

/**
 * One request as it crosses the framework's pipeline, each step filling in its part; and the output its response
 * leaves through: the call back to the gateway, whose window it waits for when it is full.
 */
export class FrameworkContext implements ResponseOutput {
  readonly call: ServerCall<EnvironMessage>;
  /** The application's environ (environ). */
  environ: Environ | undefined = undefined;
  /** `start_response` and the sending of the body (application). */
  response: HostResponse | undefined = undefined;
  /** What the application returned (application). */
  body: ResponseBody | undefined = undefined;
  readonly #log: Logger;
  #onAbort: (() => void) | undefined = undefined;
  #drained: (() => void) | undefined = undefined;

  constructor(call: ServerCall<EnvironMessage>, log: Logger) {
    this.call = call;
    this.#log = log;
    call.onabort = (reason) => {
      log.info({ requestId: call.head.variables['REQUEST_ID'], reason: reason.code }, 'request aborted');
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
    return this.call.aborted;
  }

  whenAborted(listener: () => void): void {
    this.#onAbort = listener;
    if (this.call.aborted) listener();
  }

  head(code: number, reason: string, headers: HeaderList): void {
    this.call.respond({ status: code, reason, headers: headers.map(([name, value]) => ({ name, value })) });
  }

  write(chunk: Uint8Array): void | Promise<void> {
    if (this.call.write(chunk) || this.call.done) return;
    return new Promise((resolve) => {
      this.#drained = resolve;
    });
  }

  end(): void {
    this.call.end();
  }

  /** The application failed: FW_ERR_PROTOCOL_VIOLATION when it broke the interface, else FW_ERR_APPLICATION_FAILED. */
  fail(err: unknown, headSent: boolean): void {
    const appError = toApplicationError(err);
    this.#log.error({ err, code: appError.code, headSent }, 'application failed');
    this.call.fail(appError);
  }
}
