import type { ServerResponse } from 'node:http';
import { PROBLEM_CONTENT_TYPE, toProblem, type AppError } from '@mono/errors';
import type { ErrorStream, HeaderList, ResponseOutput } from '@mono/tsgi';
import { toApplicationError } from './application-error';

/**
 * Where the reference server sends what an application produces: straight to the Node response, waiting for
 * 'drain' when the socket's buffer is full. Aborted when the client goes away before the response ended.
 */
export class HttpOutput implements ResponseOutput {
  readonly #res: ServerResponse;
  readonly #requestId: string;
  readonly #errors: ErrorStream;
  readonly #controller = new AbortController();
  #onAbort: (() => void) | undefined;
  #drained: (() => void) | undefined;

  constructor(res: ServerResponse, requestId: string, errors: ErrorStream) {
    this.#res = res;
    this.#requestId = requestId;
    this.#errors = errors;
    res.on('drain', () => this.#release());
    res.on('close', () => {
      if (res.writableFinished) return;
      this.#controller.abort(new Error('the client went away'));
      this.#release();
      this.#onAbort?.();
    });
  }

  /** `tsgi.signal`: aborts when the client goes away before the response ended. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#controller.signal.aborted;
  }

  whenAborted(listener: () => void): void {
    this.#onAbort = listener;
    if (this.aborted) listener();
  }

  head(code: number, reason: string, headers: HeaderList): void {
    const flat: string[] = [];
    for (const [name, value] of headers) flat.push(name, value);
    this.#res.writeHead(code, reason, flat);
  }

  write(chunk: Uint8Array): void | Promise<void> {
    if (this.#res.write(chunk) || this.aborted) return;
    return new Promise((resolve) => {
      this.#drained = resolve;
    });
  }

  end(): void {
    this.#res.end();
  }

  /** Before the head: a 500 in application/problem+json, as the edge answers. After it: the connection is cut. */
  fail(err: unknown, headSent: boolean): void {
    const appError = toApplicationError(err);
    const cause = appError.cause ?? err;
    this.#errors.write(
      `${appError.code}: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}\n`,
    );
    if (headSent || this.#res.headersSent) this.#res.destroy();
    else respondProblem(this.#res, appError, this.#requestId);
  }

  #release(): void {
    const drained = this.#drained;
    this.#drained = undefined;
    drained?.();
  }
}

/** An error as application/problem+json, the edge's format, with the request's id. */
export function respondProblem(res: ServerResponse, err: AppError, requestId: string): void {
  const body = JSON.stringify(toProblem(err, { requestId }));
  res.writeHead(err.httpStatus, err.title, {
    'Content-Type': PROBLEM_CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}
