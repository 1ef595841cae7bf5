/** The logging a master does: a few lines, in the format of the services' pino logs. */
export interface LineLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity } as const;

/**
 * JSON lines on stdout as `createLogger` (pino) writes them — `level`, `time`, `service`, the fields, `msg` — for a
 * process that logs a few lines and should not load pino for them (~8 MiB resident): the framework's master.
 *
 * @example
 * createLineLogger('framework', 'info').info({ pid: 42 }, 'reloaded');
 */
export function createLineLogger(
  service: string,
  level: keyof typeof LEVELS,
  write: (line: string) => void = (line) => process.stdout.write(line),
): LineLogger {
  const threshold = LEVELS[level];
  const at = (name: 'info' | 'warn' | 'error') => (fields: Record<string, unknown>, message: string) => {
    if (LEVELS[name] < threshold) return;
    write(`${JSON.stringify({ level: name, time: new Date().toISOString(), service, ...fields, msg: message })}\n`);
  };
  return { info: at('info'), warn: at('warn'), error: at('error') };
}
