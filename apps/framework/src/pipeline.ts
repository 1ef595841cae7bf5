import type { Environ as EnvironMessage } from '@mono/contracts';
import type { Logger } from '@mono/telemetry';
import type { ServerCall } from '@mono/transport';
import type { Application } from '@mono/tsgi';
import { application } from './application';
import { compose } from './compose';
import { FrameworkContext } from './context';
import { environ } from './environ';
import { response } from './response';

export interface PipelineOptions {
  multiprocess: boolean;
  log: Logger;
  counter?: { requests: number };
}

/**
 * The framework's request pipeline, in order (README.md draws it with the statuses each step can produce):
 *
 *   environ      the TSGI environ: the gateway's CGI variables + tsgi.input, tsgi.errors, tsgi.signal
 *   application  application(environ, start_response)           → 500 throws, 500 breaks the interface
 *   response     the body, streamed under the gateway's window    → 500 or aborted, close() always called
 *
 * The call's deadline ends any of them with FW_ERR_DEADLINE_EXCEEDED (504) and aborts tsgi.signal.
 */
export function createPipeline(app: Application, { multiprocess, log, counter }: PipelineOptions) {
  const run = compose([environ({ multiprocess, log }), application(app), response()]);
  return function frameworkPipeline(call: ServerCall<EnvironMessage>): void {
    if (counter) counter.requests += 1;
    run(new FrameworkContext(call, log));
  };
}
