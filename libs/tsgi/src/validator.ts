import { ConformanceError } from './conformance-error';
import type { ConformanceRuleId } from './conformance-rules';
import type { Application, Environ, ExcInfo, Flush, HeaderList, StartResponse } from './environ';
import { isHopByHop } from './response-head';
import { validateBody } from './validate-body';
import { checkEnviron, validateErrors, validateInput } from './validate-environ';

export interface ValidatorOptions {
  /**
   * Told of every violation, including those nobody can be thrown at (close() never called, a body that ignores
   * the abort). By default written to the request's `tsgi.errors`.
   */
  onViolation?: (violation: ConformanceError, environ: Environ) => void;
  /** How long close() and an aborted body may take, ms (1 s). */
  graceMs?: number;
}

/** One request's conformance state, shared by the wrappers of its environ, start_response and body. */
export interface RequestCheck {
  readonly environ: Environ;
  readonly graceMs: number;
  startResponseCalled: boolean;
  /** The status code start_response was last given. */
  code: number;
  /** True once flush() was called or the server took a non-empty chunk: the head is out. */
  headSent: boolean;
  /** Reports a violation and returns the error, for the caller to throw where someone can receive it. */
  violation(rule: ConformanceRuleId, detail: string): ConformanceError;
}

const STATUS = /^([1-9]\d\d) ([^\0-\x1f\x7f]*)$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\0-\x08\n-\x1f\x7f]/;

/**
 * Wraps an application and checks that both sides follow the interface, like Python's `wsgiref.validate.validator`:
 * the environ the server built (keys, types, SCRIPT_NAME/PATH_INFO), what the application gives start_response
 * (status line, header names and values, once unless with excInfo, before the body), the body (chunks are bytes,
 * none for 204/304, ends within 1 s of an abort), the input (no reads past CONTENT_LENGTH) and the server's part
 * (close() exactly once, the body not read after it). A violation throws a `ConformanceError` naming the rule where
 * the breaking call can receive it, and always reaches `onViolation`. It changes nothing else: wrap only when
 * checking (FRAMEWORK_VALIDATE, the reference server's --validate); unwrapped, it costs nothing (ADR-0009).
 *
 * @example
 * const checked = validator(application, { onViolation: (v) => console.error(v.message) });
 */
export function validator(app: Application, options: ValidatorOptions = {}): Application {
  const report = options.onViolation ?? writeToErrors;
  const graceMs = options.graceMs ?? 1_000;
  return async function validatedApplication(environ, startResponse) {
    const check: RequestCheck = {
      environ,
      graceMs,
      startResponseCalled: false,
      code: 0,
      headSent: false,
      violation(rule, detail) {
        const error = new ConformanceError(rule, detail);
        report(error, environ);
        return error;
      },
    };
    checkEnviron(environ, check);
    validateInput(environ, check);
    validateErrors(environ, check);
    const body = await app(environ, validateStartResponse(startResponse, check));
    return validateBody(body, check);
  };
}

function validateStartResponse(startResponse: StartResponse, check: RequestCheck): StartResponse {
  return function validatedStartResponse(status: string, headers: HeaderList, excInfo?: ExcInfo): Flush {
    if (check.startResponseCalled && excInfo === undefined) {
      throw check.violation('start_response.once', 'start_response was called a second time without excInfo');
    }
    const code = checkStatus(status, check);
    checkHeaders(headers, check);
    const wasSent = check.headSent;
    const flush = startResponse(status, headers, excInfo);
    if (excInfo !== undefined && wasSent) {
      throw check.violation('start_response.exc-info', 'start_response returned after the head was sent');
    }
    if (typeof flush !== 'function') {
      throw check.violation('start_response.flush', `start_response returned ${typeof flush}, not a function`);
    }
    check.startResponseCalled = true;
    check.code = code;
    return function validatedFlush() {
      check.headSent = true;
      flush();
    };
  };
}

function checkStatus(status: unknown, check: RequestCheck): number {
  const match = typeof status === 'string' ? STATUS.exec(status) : null;
  const code = Number(match?.[1]);
  if (!match || code > 599) throw check.violation('status.line', `status ${JSON.stringify(status)}`);
  return code;
}

function checkHeaders(headers: unknown, check: RequestCheck): void {
  if (!Array.isArray(headers)) throw check.violation('headers.list', `headers are ${typeof headers}, not an array`);
  for (const pair of headers as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      throw check.violation('headers.list', `header ${JSON.stringify(pair)} is not a [name, value] pair of strings`);
    }
    const [name, value] = pair as [string, string];
    if (!TOKEN.test(name) || name.toLowerCase() === 'status') {
      throw check.violation('headers.name', `header name ${JSON.stringify(name)}`);
    }
    if (BAD_VALUE.test(value)) {
      throw check.violation('headers.value', `header ${name} has a control character: ${JSON.stringify(value)}`);
    }
    if (isHopByHop(name)) throw check.violation('headers.hop-by-hop', `header ${name}`);
  }
}

function writeToErrors(violation: ConformanceError, environ: Environ): void {
  const errors = (environ as Partial<Environ>)['tsgi.errors'];
  if (errors && typeof errors.write === 'function') errors.write(`${violation.message}\n`);
  else process.stderr.write(`${violation.message}\n`);
}
