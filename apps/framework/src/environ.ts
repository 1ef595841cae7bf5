import { trace } from '@opentelemetry/api';
import type { Environ as EnvironMessage } from '@mono/contracts';
import type { Step } from '@mono/runtime';
import { ATTR_MONO_APPLICATION, type Logger } from '@mono/telemetry';
import { readBody, type ServerCall } from '@mono/transport';
import { createInputStream, type Environ, type ErrorStream } from '@mono/tsgi';
import { environFromMessage } from '@mono/tsgi-server';
import type { ApplicationTable } from './application-table';
import type { FrameworkContext } from './context';
import type { FrameworkStats } from './framework-stats';

export interface EnvironOptions {
  applications: ApplicationTable;
  stats: FrameworkStats;
  multiprocess: boolean;
  log: Logger;
}

/**
 * The request goes to the application its mount names (Environ.application; "" the default one) — one not hosted
 * here is refused as not accepted with FW_ERR_NO_APPLICATION (404) — and is accepted (a gateway still sending its
 * body may stop holding it for a retry). It gets its environ: the application's own variables, the CGI variables
 * and raw headers the gateway built, plus the live parts — the body as `tsgi.input`, the log as `tsgi.errors`, the
 * call's abort as `tsgi.signal`, the time by which the head must be sent as `tsgi.deadline`.
 */
export function environ({ applications, stats, multiprocess, log }: EnvironOptions): Step<FrameworkContext> {
  const errors = errorStream(log);
  return function environStep(ctx, next) {
    const name = ctx.call.head.application;
    const entry = applications.get(name);
    if (entry === undefined) {
      stats.unknownApplication += 1;
      ctx.call.fail(applications.unknown(name));
      return;
    }
    ctx.begin(entry);
    ctx.call.accept();
    const span = trace.getSpan(ctx.call.context);
    if (span?.isRecording()) span.setAttribute(ATTR_MONO_APPLICATION, entry.name);
    ctx.environ = toEnviron(ctx.call, errors, multiprocess, entry.env);
    next(ctx);
  };
}

function toEnviron(
  call: ServerCall<EnvironMessage>,
  errors: ErrorStream,
  multiprocess: boolean,
  env: Readonly<Record<string, string>>,
): Environ {
  return environFromMessage(call.head, {
    input: () => createInputStream(readBody(call.body)),
    errors,
    signal: call.signal,
    deadline: call.deadline,
    multiprocess,
    env,
  });
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
