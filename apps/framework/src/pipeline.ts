import type { Environ as EnvironMessage } from '@mono/contracts';
import { compose } from '@mono/runtime';
import type { Logger } from '@mono/telemetry';
import type { RequestLimits, ServerCall } from '@mono/transport';
import { application } from './application';
import type { ApplicationTable } from './application-table';
import { FrameworkContext } from './context';
import { environ } from './environ';
import type { FrameworkStats } from './framework-stats';
import { limits } from './limits';
import { response } from './response';

export interface PipelineOptions {
  applications: ApplicationTable;
  stats: FrameworkStats;
  multiprocess: boolean;
  /** What the framework takes of a request (`limits` in its configuration). */
  requestLimits: RequestLimits;
  log: Logger;
}

/**
 * The framework's request pipeline, in order (README.md draws it with the statuses each step can produce):
 *
 *   environ      the mount's application, the TSGI environ: its variables, the gateway's CGI variables + tsgi.input,
 *                tsgi.errors, tsgi.signal                          → 404 no such application
 *   limits       the head and body limits (a body counted as it arrives) → 431, 413
 *   application  application(environ, start_response)           → 500 throws, 500 breaks the interface
 *   response     the body, streamed under the gateway's window    → 500 or aborted, close() always called
 *
 * The call's deadline ends any of them with FW_ERR_DEADLINE_EXCEEDED (504) and aborts tsgi.signal.
 */
export function createPipeline({ applications, stats, multiprocess, requestLimits, log }: PipelineOptions) {
  const run = compose([
    environ({ applications, stats, multiprocess, log }),
    limits(requestLimits),
    application(),
    response(),
  ]);
  return function frameworkPipeline(call: ServerCall<EnvironMessage>): void {
    stats.requests += 1;
    run(new FrameworkContext(call, log, stats));
  };
}
