// Loaded with --require before main.cjs (tools/run/service.sh), so that OpenTelemetry is set up before anything
// it instruments is loaded.
import { ConfigError } from '@mono/config';
import { holdTickShape, settleProtectors } from '@mono/runtime';
import { loadMetricsConfig, loadTelemetryConfig, startTelemetry } from '@mono/telemetry/sdk';
import { version } from '../package.json';

// The first code of every process, so that V8 starts in the state it would reach later anyway:
// docs/adr/0034-a-request-alone-and-what-a-request-allocates.md, docs/adr/0035-a-first-keepalive-ping-and-the-open-loop.md
holdTickShape();
settleProtectors();

// With --check-config, main.cjs checks these variables with the service's own and nothing is started.
if (!process.argv.includes('--check-config')) {
  try {
    startTelemetry({
      serviceName: 'edge',
      version,
      config: loadTelemetryConfig(process.env),
      metrics: loadMetricsConfig(process.env),
    });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
}
