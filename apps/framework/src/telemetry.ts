// Loaded with --require before main.cjs: preloadService says why and what it does. A master's workers are started
// with the same flags and load it too.
import cluster from 'node:cluster';
import { preloadService } from '@mono/runtime';
import { loadFrameworkConfig } from './config';
import type * as StartTelemetry from './start-telemetry';

preloadService(() => {
  // A master only supervises: its workers trace and measure, and it never loads the SDK (docs/adr/0010).
  if (cluster.isPrimary && supervises()) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK loads only where it runs
  (require('./start-telemetry') as typeof StartTelemetry).startFrameworkTelemetry(process.env);
});

/** This process will be a master (its configuration says so); an invalid one is main.cjs's to report. */
function supervises(): boolean {
  try {
    return loadFrameworkConfig(process.env).master;
  } catch {
    return false;
  }
}
