import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { loadMetricsConfig, loadTelemetryConfig, startTelemetry } from '@mono/telemetry/sdk';
import { version } from '../package.json';

/** OpenTelemetry for the process that runs the applications: traces, metrics, Express's instrumentation. */
export function startFrameworkTelemetry(env: NodeJS.ProcessEnv): void {
  startTelemetry({
    serviceName: 'framework',
    version,
    config: loadTelemetryConfig(env),
    metrics: loadMetricsConfig(env),
    instrumentations: () => [new ExpressInstrumentation()],
  });
}
