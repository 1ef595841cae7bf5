import type { Environ as EnvironMessage } from '@mono/contracts';
import type { AppError } from '@mono/errors';
import { grpcStatusName, type Logger } from '@mono/telemetry';
import type { ServerCall } from '@mono/transport';
import type { Environ, HeaderList, HostResponse, ResponseBody, ResponseOutput } from '@mono/tsgi';
import { toApplicationError } from '@mono/tsgi-server';
import type { Outcome } from './application-stats';
import type { HostedEntry } from './application-table';
import type { FrameworkStats } from './framework-stats';

/**
 * One request as it crosses the framework's pipeline, each step filling in its part; and the output its response
 * leaves through: the call back to the gateway, whose window it waits for when it is full. It is counted for its
 * application once, when it is over: its response ended, it failed, or it was aborted.
 */
export class FrameworkContext implements ResponseOutput {
  readonly call: ServerCall<EnvironMessage>;
  /** The application it is for (environ). */
  application: HostedEntry | undefined = undefined;
  /** The application's environ (environ). */
  environ: Environ | undefined = undefined;
  /** `start_response` and the sending of the body (application). */
  response: HostResponse | undefined = undefined;
  /** What the application returned (application). */
  body: ResponseBody | undefined = undefined;
  /** performance.now() when the request reached the framework, and when the application was called (application). */
  readonly startedAt = performance.now();
  calledAt = 0;
  readonly #log: Logger;
  readonly #stats: FrameworkStats;
  #status = 0;
  #over = false;
  #onAbort: (() => void) | undefined = undefined;
  #drained: (() => void) | undefined = undefined;

  constructor(call: ServerCall<EnvironMessage>, log: Logger, stats: FrameworkStats) {
    this.call = call;
    this.#log = log;
    this.#stats = stats;
    const onabort = (reason: AppError): void => {
      log.info({ requestId: call.head.variables['REQUEST_ID'], reason: reason.code }, 'request aborted');
      this.#ended(reason);
      this.#drained?.();
      this.#onAbort?.();
    };
    const ondrain = (): void => {
      const drained = this.#drained;
      this.#drained = undefined;
      drained?.();
    };
    call.onabort = onabort;
    call.ondrain = ondrain;
  }

  get aborted(): boolean {
    return this.call.aborted;
  }

  /** The request is for `entry`: it counts as one of its requests in flight from now on. */
  begin(entry: HostedEntry): void {
    this.application = entry;
    entry.stats.begin();
  }

  whenAborted(listener: () => void): void {
    this.#onAbort = listener;
    if (this.call.aborted) listener();
  }

  /** The head goes with where its time went: the framework's own until it called the application, then the app's. */
  head(code: number, reason: string, headers: HeaderList): void {
    this.#status = code;
    const now = performance.now();
    const calledAt = this.calledAt || now;
    this.call.respond({
      status: code,
      reason,
      headers: headers.map(([name, value]) => ({ name, value })),
      timing: {
        gatewayQueueUs: 0,
        gatewayUs: 0,
        frameworkUs: Math.round((calledAt - this.startedAt) * 1_000),
        appUs: Math.round((now - calledAt) * 1_000),
      },
    });
  }

  write(chunk: Uint8Array): void | Promise<void> {
    if (this.call.write(chunk) || this.call.done) return;
    return new Promise((resolve) => {
      this.#drained = resolve;
    });
  }

  end(): void {
    this.call.end();
    this.#ended(undefined);
  }

  /** The application failed: FW_ERR_PROTOCOL_VIOLATION when it broke the interface, else FW_ERR_APPLICATION_FAILED. */
  fail(err: unknown, headSent: boolean): void {
    const appError = toApplicationError(err);
    this.#log.error({ err, code: appError.code, headSent }, 'application failed');
    this.call.fail(appError);
    this.#ended(appError);
  }

  /** The framework refused the request before its application ran (a limit): it fails with `err`, not logged. */
  refuse(err: AppError): void {
    this.call.fail(err);
    this.#ended(err);
  }

  /** Counted once, by how it ended first: its response's status, or the error that ended it. */
  #ended(err: AppError | undefined): void {
    if (this.#over || this.application === undefined) return;
    this.#over = true;
    let outcome: Outcome = this.#status;
    let grpcStatus = 'OK';
    if (err !== undefined) {
      grpcStatus = grpcStatusName(err.grpcStatus);
      outcome = grpcStatus === 'CANCELLED' ? 'cancelled' : err.httpStatus;
    }
    this.#stats.done(this.application, outcome, grpcStatus, performance.now() - this.startedAt);
  }
}
