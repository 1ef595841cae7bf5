import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, toAppError } from '@mono/errors';
import type { Logger } from '@mono/telemetry';
import { accessLog, type LineOut } from './access-log';
import { clientError } from './client-error';
import type { ClientTrust } from './client-trust';
import { compose } from './compose';
import { compress } from './compress';
import type { EdgeConfig } from './config';
import { createContext, type EdgeContext } from './context';
import type { EdgeMetrics } from './edge-metrics';
import { EdgeResponse } from './edge-response';
import type { EdgeState } from './edge-state';
import { errorsToStatus } from './errors-to-status';
import { framing } from './framing';
import { health } from './health';
import { limits } from './limits';
import { locate } from './locate';
import { proxy } from './proxy';
import { redirect } from './redirect';
import { requestId } from './request-id';
import { closing, respondProblem } from './respond-problem';
import { staticFiles } from './static-files';
import { traceRequest } from './trace-request';
import type { UpstreamLimits } from './upstream-limits';

export interface PipelineDeps {
  state: EdgeState;
  trust: ClientTrust;
  /** The limits of the layers behind each location (limits, proxy). */
  upstream: UpstreamLimits;
  log: Logger;
  metrics?: EdgeMetrics | undefined;
  /** Where combined access lines go (standard output). */
  accessOut?: LineOut | undefined;
}

/**
 * The edge's request pipeline, in order (README.md draws it with the statuses each stage can produce):
 *
 *   request-id        X-Request-Id (a trusted proxy's kept)
 *   trace-request     the HTTP SERVER span, X-Trace-Id; everything below runs in its context
 *   access-log        one line when the request is over, with trace_id
 *   errors-to-status  a thrown error becomes its status and problem+json; no answer at all → 500
 *   framing           Host (none or two → 400, absolute-form's authority), transfer codings → 501, Expect → 417,
 *                     a host no server name matches → 421
 *   health            EDGE_HEALTH_PATH answered here                  → 200, 503 while draining
 *   locate            the location: exact, else the longest prefix    → 404 none; its response headers
 *   redirect          a redirect location answers itself             → 301 302 303 307 308
 *   limits            declared body over the location's limit or its gateways' → 413; then 100 Continue
 *   compress          with Accept-Encoding: an encodable response gets Vary, and zstd, br or gzip if accepted
 *   static-files      a static location's file (send)                 → 200 206 304 301 400 404 405 412 416
 *   proxy             to a gateway of the location's pool and back    → 413 431 502 503 504, the app's status, 499 logged
 *
 * Requests the HTTP parser rejects take the rejection pipeline (`createRejection`).
 */
export function createPipeline(
  config: Readonly<EdgeConfig>,
  { state, trust, upstream, log, metrics, accessOut }: PipelineDeps,
) {
  const logging = config.accessLog === false ? undefined : { ...config, accessLog: config.accessLog };
  const run = compose([
    requestId(trust),
    traceRequest(config, state),
    ...(logging ? [accessLog(log, logging, accessOut)] : []),
    errorsToStatus(log),
    framing(config),
    health(config.healthPath, state),
    locate(config.locations),
    redirect(),
    limits(upstream),
    compress(config.compression),
    staticFiles(),
    proxy(config, state, trust),
  ]);
  return function edgePipeline(req: IncomingMessage, res: ServerResponse): void {
    if (closing(req.socket)) return;
    state.requests += 1;
    state.inFlight += 1;
    const ctx = createContext(req, res);
    if (res instanceof EdgeResponse) res.context = ctx;
    const done = () => {
      if (res instanceof EdgeResponse) res.context = undefined;
      state.finished(ctx.status);
      metrics?.done(req.method, ctx.status, Number(process.hrtime.bigint() - ctx.startedAt) / 1e9);
    };
    run(ctx).then(done, (err: unknown) => {
      const appError = toAppError(err, 'EDGE_ERR_INTERNAL');
      if (!(err instanceof AppError)) log.error({ err, requestId: ctx.requestId }, 'edge failed a request');
      respondProblem(ctx, appError);
      done();
    });
  };
}

/**
 * The pipeline of a request whose head Node's parser rejected (client-error.ts builds its context): the same id,
 * span and access line as any request, then its problem answer (400 408 414 431).
 */
export function createRejection(config: Readonly<EdgeConfig>, { state, trust, log, accessOut }: PipelineDeps) {
  const logging = config.accessLog === false ? undefined : { ...config, accessLog: config.accessLog };
  const run = compose([
    requestId(trust),
    traceRequest(config, state),
    ...(logging ? [accessLog(log, logging, accessOut)] : []),
    clientError(),
  ]);
  return function rejectRequest(ctx: EdgeContext): Promise<void> {
    state.requests += 1;
    state.inFlight += 1;
    return run(ctx).finally(() => state.finished(ctx.status));
  };
}
