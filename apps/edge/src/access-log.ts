import type { Logger } from '@mono/telemetry';
import type { Stage } from './compose';
import type { EdgeConfig } from './config';
import type { EdgeContext } from './context';
import { isHealthCheck } from './health';

/** Where combined lines go: standard output (rotation is the supervisor's). */
export type LineOut = (line: string) => void;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** What nginx escapes in a logged string: quotes, backslashes, control characters and non-ASCII (as \xHH). */
const UNSAFE = /["\\\x00-\x1f\x7f-\uffff]/g;

/**
 * One line per request once it is over, to standard output. `json`: an object with method, target, status, bytes,
 * duration, upstream and its time, request id, client and (it runs in the request's span) trace_id and span_id.
 * `combined`: nginx's combined format, then the duration in seconds, the request id and the trace id. Health
 * checks are not logged unless EDGE_HEALTH_QUIET is false.
 */
export function accessLog(
  log: Logger,
  config: Pick<EdgeConfig, 'healthPath' | 'healthQuiet'> & { accessLog: 'json' | 'combined' },
  out: LineOut = writeStdout,
): Stage {
  const write = config.accessLog === 'combined' ? (ctx: EdgeContext) => out(combinedLine(ctx)) : jsonLine(log);
  return async function accessLogStage(ctx, next) {
    if (config.healthQuiet && isHealthCheck(ctx.req, config.healthPath)) {
      await next();
      return;
    }
    try {
      await next();
    } finally {
      write(ctx);
    }
  };
}

function jsonLine(log: Logger): (ctx: EdgeContext) => void {
  return function writeJson(ctx) {
    log.info(
      {
        method: ctx.req.method,
        target: ctx.req.url,
        status: ctx.status,
        bytes: ctx.bytesSent,
        durationMs: Math.round(durationMs(ctx) * 1000) / 1000,
        upstream: ctx.upstream,
        upstreamMs: ctx.upstreamMs === undefined ? undefined : Math.round(ctx.upstreamMs * 1000) / 1000,
        requestId: ctx.requestId,
        client: ctx.client ?? ctx.req.socket.remoteAddress,
        error: ctx.error?.code,
      },
      'access',
    );
  };
}

/** `client - - [time] "request" status bytes "referer" "user agent" seconds request-id trace-id` */
export function combinedLine(ctx: EdgeContext, now = new Date()): string {
  const { req } = ctx;
  const request = `${req.method ?? '-'} ${req.url ?? '-'} HTTP/${req.httpVersion || '1.1'}`;
  const seconds = (durationMs(ctx) / 1000).toFixed(3);
  return (
    `${ctx.client ?? req.socket.remoteAddress ?? '-'} - - [${localTime(now)}] "${escape(request)}" ${ctx.status} ` +
    `${ctx.bytesSent} "${escape(header(req.headers.referer))}" "${escape(header(req.headers['user-agent']))}" ` +
    `${seconds} ${ctx.requestId || '-'} ${ctx.traceId || '-'}\n`
  );
}

function durationMs(ctx: EdgeContext): number {
  return Number(process.hrtime.bigint() - ctx.startedAt) / 1e6;
}

function header(value: string | undefined): string {
  return value === undefined || value === '' ? '-' : value;
}

function escape(text: string): string {
  return text.replace(UNSAFE, (char) => {
    const code = char.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0').toUpperCase()}` : `\\u${code.toString(16)}`;
  });
}

/** nginx's $time_local, in UTC: `30/Nov/2026:11:45:47 +0000`. */
function localTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

function writeStdout(line: string): void {
  process.stdout.write(line);
}
