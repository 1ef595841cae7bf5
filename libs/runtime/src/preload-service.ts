import { ConfigError } from '@mono/config';
import { holdTickShape } from './hold-tick-shape';
import { settleProtectors } from './settle-protectors';

/**
 * What each service's telemetry.ts does, loaded with --require before main.cjs (tools/run/service.sh) so that
 * OpenTelemetry is set up before anything it instruments is loaded. First V8 is put in the state it would reach later
 * anyway (docs/adr/0034-a-request-alone-and-what-a-request-allocates.md,
 * docs/adr/0035-a-first-keepalive-ping-and-the-open-loop.md); then `startTelemetry` runs, unless the process only
 * checks its configuration: with --check-config, main.cjs checks these variables with the service's own and nothing
 * is started. A setting that `startTelemetry` refuses ends the process with status 2, its message on stderr.
 */
export function preloadService(startTelemetry: () => void, argv: readonly string[] = process.argv): void {
  holdTickShape();
  settleProtectors();
  if (argv.includes('--check-config')) return;
  try {
    startTelemetry();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
}
