import { count, flag, list, loadConfig, type Env } from '@mono/config';
import * as v from 'valibot';
import { TRACE_BUFFER_DEFAULTS } from './trace-buffer-defaults';

/**
 * Every variable of the OpenTelemetry SDK environment specification that applies to traces, validated once at
 * start-up (the SDK itself would warn and carry on with a default, or drop OTEL_RESOURCE_ATTRIBUTES silently).
 * The OTLP and Zipkin exporters read their own variables from the environment; they are listed here so that a wrong
 * value stops the service with a clear message and the README's table shows them. The batch processor's defaults
 * are sized for tens of thousands of spans a second, not the spec's 2048 queue and 5 s delay, so that no span is
 * dropped at full load.
 */
export const telemetryEnvSchema = v.object({
  OTEL_SDK_DISABLED: flag(false, 'true: no SDK, every span is a no-op'),
  OTEL_SERVICE_NAME: v.pipe(v.optional(v.string()), v.description('Overrides service.name (edge, gateway, framework)')),
  OTEL_RESOURCE_ATTRIBUTES: v.pipe(
    v.optional(
      v.pipe(v.string(), v.regex(/^\s*[^=,\s][^=,]*=[^=,]*(,\s*[^=,\s][^=,]*=[^=,]*)*,?\s*$/, 'expected key=value,…')),
    ),
    v.description(
      "Resource attributes key=value,… (percent-encode ',' and '='); OTEL_SERVICE_NAME wins for service.name",
    ),
  ),
  OTEL_LOG_LEVEL: v.pipe(
    v.optional(
      v.pipe(
        v.string(),
        v.transform((level) => level.toLowerCase()),
        v.picklist(
          ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'],
          'expected none, error, warn, info, debug, verbose or all',
        ),
      ),
      'info',
    ),
    v.description(
      "The SDK's own diagnostics, written to the service's log: none, error, warn, info, debug, verbose, all",
    ),
  ),
  OTEL_PROPAGATORS: list(
    'tracecontext,baggage',
    'Propagators, in order: tracecontext, baggage, b3 (single header), b3multi, none',
    /^(tracecontext|baggage|b3|b3multi|none)$/,
    'expected tracecontext, baggage, b3, b3multi or none',
  ),
  OTEL_TRACES_EXPORTER: list(
    'otlp',
    'Exporters: otlp (see OTEL_EXPORTER_OTLP_*), zipkin (OTEL_EXPORTER_ZIPKIN_*), console, or none',
    /^(otlp|zipkin|console|none)$/,
    'expected otlp, zipkin, console or none',
  ),
  OTEL_TRACES_SAMPLER: v.pipe(
    v.optional(
      v.picklist([
        'always_on',
        'always_off',
        'traceidratio',
        'parentbased_always_on',
        'parentbased_always_off',
        'parentbased_traceidratio',
      ]),
      'parentbased_always_on',
    ),
    v.description('Head sampler'),
  ),
  OTEL_TRACES_SAMPLER_ARG: v.pipe(
    v.optional(v.pipe(v.string(), v.transform(Number), v.number(), v.minValue(0), v.maxValue(1)), '1'),
    v.description('Ratio for the traceidratio samplers'),
  ),
  OTEL_BSP_SCHEDULE_DELAY: count(500, 'ms between two exports of the batch span processor'),
  OTEL_BSP_MAX_QUEUE_SIZE: count(131_072, 'Spans the batch processor may hold; beyond it spans are dropped', {
    min: 1,
  }),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: count(8_192, 'Spans per export', { min: 1 }),
  OTEL_BSP_EXPORT_TIMEOUT: count(30_000, 'ms an export may take'),
  OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: optionalCount(
    'Longest string attribute value (longer ones are cut); unset: no limit',
  ),
  OTEL_ATTRIBUTE_COUNT_LIMIT: count(128, 'Attributes per span, event or link; beyond it they are dropped'),
  OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: optionalCount('For spans; unset: OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'),
  OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: optionalCount('For spans; unset: OTEL_ATTRIBUTE_COUNT_LIMIT'),
  OTEL_SPAN_EVENT_COUNT_LIMIT: count(128, 'Events per span'),
  OTEL_SPAN_LINK_COUNT_LIMIT: count(128, 'Links per span'),
  OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: optionalCount('Attributes per span event; unset: OTEL_ATTRIBUTE_COUNT_LIMIT'),
  OTEL_LINK_ATTRIBUTE_COUNT_LIMIT: optionalCount('Attributes per span link; unset: OTEL_ATTRIBUTE_COUNT_LIMIT'),
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol('http/protobuf', 'OTLP transport: http/protobuf, http/json or grpc'),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol(undefined, 'For traces; unset: OTEL_EXPORTER_OTLP_PROTOCOL'),
  OTEL_EXPORTER_OTLP_ENDPOINT: url(
    'OTLP base URL (/v1/traces is appended for HTTP); unset: http://localhost:4318, grpc http://localhost:4317',
  ),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url(
    'Full URL for traces, used as given; unset: from OTEL_EXPORTER_OTLP_ENDPOINT',
  ),
  OTEL_EXPORTER_OTLP_HEADERS: keyValues('Headers (gRPC metadata) for every export, key=value,…'),
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: keyValues('For traces, added to OTEL_EXPORTER_OTLP_HEADERS'),
  OTEL_EXPORTER_OTLP_TIMEOUT: optionalCount('ms an OTLP export may take; unset: 10000', 1),
  OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: optionalCount('For traces; unset: OTEL_EXPORTER_OTLP_TIMEOUT', 1),
  OTEL_EXPORTER_OTLP_COMPRESSION: compression('none or gzip; unset: none'),
  OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: compression('For traces; unset: OTEL_EXPORTER_OTLP_COMPRESSION'),
  OTEL_EXPORTER_OTLP_CERTIFICATE: file('PEM file of the CA certificates that verify the collector (TLS)'),
  OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE: file('For traces; unset: OTEL_EXPORTER_OTLP_CERTIFICATE'),
  OTEL_EXPORTER_OTLP_CLIENT_KEY: file('PEM file of the client private key (mTLS)'),
  OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY: file('For traces; unset: OTEL_EXPORTER_OTLP_CLIENT_KEY'),
  OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: file('PEM file of the client certificate chain (mTLS)'),
  OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE: file('For traces; unset: OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE'),
  OTEL_EXPORTER_OTLP_INSECURE: optionalFlag(
    'grpc: true for no TLS whatever the endpoint scheme; unset: from the scheme',
  ),
  OTEL_EXPORTER_OTLP_TRACES_INSECURE: optionalFlag('For traces; unset: OTEL_EXPORTER_OTLP_INSECURE'),
  OTEL_EXPORTER_ZIPKIN_ENDPOINT: url('Zipkin v2 JSON endpoint; unset: http://localhost:9411/api/v2/spans'),
  OTEL_EXPORTER_ZIPKIN_TIMEOUT: optionalCount('ms a Zipkin export may take; unset: 10000', 1),
  OTEL_SEMCONV_STABILITY_OPT_IN: v.pipe(
    v.optional(v.string(), ''),
    v.transform((value) => value.split(',').map((item) => item.trim())),
    v.description(
      'rpc/dup: RPC spans carry the deprecated keys (rpc.system, rpc.service, rpc.grpc.status_code) beside the current ones',
    ),
  ),
  MONO_TRACE_BUFFER_MAX_SPANS: count(
    TRACE_BUFFER_DEFAULTS.maxSpans,
    'Spans kept while the collector is unreachable, sent when it is back',
    {
      min: 0,
    },
  ),
  MONO_TRACE_BUFFER_MAX_BYTES: count(
    TRACE_BUFFER_DEFAULTS.maxBytes,
    'Bytes (estimated, as encoded) of spans kept while it is unreachable',
  ),
});

export type TelemetryConfig = v.InferOutput<typeof telemetryEnvSchema>;

export function loadTelemetryConfig(env: Env): Readonly<TelemetryConfig> {
  return loadConfig('telemetry', telemetryEnvSchema, env);
}

function optionalCount(description: string, min = 0) {
  return v.pipe(
    v.optional(
      v.pipe(
        v.string(),
        v.transform(Number),
        v.integer('expected a whole number'),
        v.minValue(min),
        v.maxValue(Number.MAX_SAFE_INTEGER),
      ),
    ),
    v.description(description),
  );
}

function optionalFlag(description: string) {
  return v.pipe(v.optional(v.picklist(['true', 'false'], 'expected true or false')), v.description(description));
}

function protocol(defaultValue: 'http/protobuf' | undefined, description: string) {
  const schema = v.picklist(['http/protobuf', 'http/json', 'grpc'], 'expected http/protobuf, http/json or grpc');
  return defaultValue === undefined
    ? v.pipe(v.optional(schema), v.description(description))
    : v.pipe(v.optional(schema, defaultValue), v.description(description));
}

function url(description: string) {
  return v.pipe(
    v.optional(v.pipe(v.string(), v.regex(/^https?:\/\/[^\s/?#]+/, 'expected http://host:port or https://…'), v.url())),
    v.description(description),
  );
}

function keyValues(description: string) {
  return v.pipe(
    v.optional(
      v.pipe(v.string(), v.regex(/^\s*[^=,\s][^=,]*=[^,]*(,\s*[^=,\s][^=,]*=[^,]*)*$/, 'expected key=value,…')),
    ),
    v.description(description),
  );
}

function compression(description: string) {
  return v.pipe(v.optional(v.picklist(['none', 'gzip'], 'expected none or gzip')), v.description(description));
}

function file(description: string) {
  return v.pipe(v.optional(v.string()), v.description(description));
}
