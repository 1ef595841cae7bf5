// Loaded with --require before main.cjs (tools/run/service.sh), so that OpenTelemetry is set up before anything
// it instruments is loaded. A master's workers are started with the same flags and load it too.
import cluster from 'node:cluster';
import { ConfigError } from '@mono/config';
import { holdTickShape, settleProtectors } from '@mono/runtime';
import { loadFrameworkConfig } from './config';
import type * as StartTelemetry from './start-telemetry';

// The first code of every process, so that V8 starts in the state it would reach later anyway:
// docs/adr/0034-a-request-alone-and-what-a-request-allocates.md, docs/adr/0035-a-first-keepalive-ping-and-the-open-loop.md
holdTickShape();
settleProtectors();

const master = cluster.isPrimary && supervises();
// With --check-config, main.cjs checks these variables with the service's own and nothing is started. A master
// only supervises: its workers trace and measure, and it never loads the SDK (docs/adr/0010).
if (!process.argv.includes('--check-config') && !master) {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK loads only where it runs
    (require('./start-telemetry') as typeof StartTelemetry).startFrameworkTelemetry(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
}

/** This process will be a master (its configuration says so); an invalid one is main.cjs's to report. */
function supervises(): boolean {
  try {
    return loadFrameworkConfig(process.env).master;
  } catch {
    return false;
  }
}
