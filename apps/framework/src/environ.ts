import type { Environ as EnvironMessage } from '@mono/contracts';
import type { Logger } from '@mono/telemetry';
import { readBody, type ServerCall } from '@mono/transport';
import { createInputStream, type Environ, type ErrorStream } from '@mono/tsgi';
import { environFromMessage } from '@mono/tsgi-server';
import type { Step } from './compose';
import type { FrameworkContext } from './context';

/**
 * The request is accepted (a gateway still sending its body may stop holding it for a retry), and gets its environ:
 * the CGI variables and raw headers the gateway built, plus the live parts — the body as `tsgi.input`, the log as
 * `tsgi.errors`, the call's abort as `tsgi.signal`, the time by which the head must be sent as `tsgi.deadline`.
 */
export function environ({ multiprocess, log }: { multiprocess: boolean; log: Logger }): Step<FrameworkContext> {
  const errors = errorStream(log);
  return function environStep(ctx, next) {
    ctx.call.accept();
    ctx.environ = toEnviron(ctx.call, errors, multiprocess);
    next(ctx);
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
