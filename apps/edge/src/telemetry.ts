// Loaded with --require before main.cjs: preloadService says why and what it does.
import { preloadService } from '@mono/runtime';
import { loadMetricsConfig, loadTelemetryConfig, startTelemetry } from '@mono/telemetry/sdk';
import { version } from '../package.json';

preloadService(() =>
  startTelemetry({
    serviceName: 'edge',
    version,
    config: loadTelemetryConfig(process.env),
    metrics: loadMetricsConfig(process.env),
  }),
);
