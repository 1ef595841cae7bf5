import { DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { TelemetryConfig } from './config';

/** OTEL_LOG_LEVEL (lower-cased by the config) to the API's diag level. */
export const DIAG_LEVELS: Readonly<Record<TelemetryConfig['OTEL_LOG_LEVEL'], DiagLogLevel>> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

/** The same message again within this many ms is counted, not written: an exporter retrying logs every attempt. */
const REPEAT_WINDOW_MS = 60_000;

/**
 * The OpenTelemetry SDK's own diagnostics (`diag`) as lines of the service's log, each at its own level (`verbose`
 * as pino's `trace`), with `component: 'opentelemetry'`. A message repeated within a minute is written once, and the
 * next time it is written it says how many repeats were left out.
 *
 * @example
 * diag.setLogger(createDiagLogger(log), { logLevel: DiagLogLevel.INFO, suppressOverrideMessage: true });
 */
export function createDiagLogger(log: Logger, now: () => number = Date.now): DiagLogger {
  const seen = new Map<string, { at: number; repeats: number }>();
  const write =
    (level: 'error' | 'warn' | 'info' | 'debug' | 'trace') =>
    (message: string, ...args: unknown[]): void => {
      const last = seen.get(message);
      const at = now();
      if (last !== undefined && at - last.at < REPEAT_WINDOW_MS) {
        last.repeats += 1;
        return;
      }
      if (seen.size > 1_000) seen.clear();
      seen.set(message, { at, repeats: 0 });
      const err = args.find((arg): arg is Error => arg instanceof Error);
      const details = args.filter((arg) => arg !== err);
      log[level](
        {
          component: 'opentelemetry',
          ...(err ? { err } : {}),
          ...(details.length > 0 ? { details } : {}),
          ...(last?.repeats ? { repeatsLeftOut: last.repeats } : {}),
        },
        message,
      );
    };
  return {
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: write('debug'),
    verbose: write('trace'),
  };
}
