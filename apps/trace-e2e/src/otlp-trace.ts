/** One span of Jaeger's OTLP view of a trace (`/api/v3/traces/<id>`): the attributes as the services sent them. */
export interface OtlpSpan {
  service: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  eventKeys: string[];
  resource: Record<string, unknown>;
}

interface OtlpKeyValue {
  key: string;
  value: Record<string, unknown>;
}

interface OtlpResponse {
  result?: {
    resourceSpans?: Array<{
      resource?: { attributes?: OtlpKeyValue[] };
      scopeSpans?: Array<{
        spans?: Array<{
          name: string;
          kind: number;
          attributes?: OtlpKeyValue[];
          events?: Array<{ attributes?: OtlpKeyValue[] }>;
        }>;
      }>;
    }>;
  };
}

/**
 * A trace as OTLP, through Jaeger's API v3: unlike `/api/traces`, it shows the attributes and the resource exactly as
 * exported, without the tags Jaeger adds (span.kind, otel.status_code, …).
 */
export async function otlpTrace(queryUrl: string, traceId: string): Promise<OtlpSpan[]> {
  const res = await fetch(`${queryUrl}/api/v3/traces/${traceId}`);
  if (!res.ok) throw new Error(`GET /api/v3/traces/${traceId}: HTTP ${res.status}`);
  const body = (await res.json()) as OtlpResponse;
  const spans: OtlpSpan[] = [];
  for (const resourceSpans of body.result?.resourceSpans ?? []) {
    const resource = record(resourceSpans.resource?.attributes);
    for (const scope of resourceSpans.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        spans.push({
          service: String(resource['service.name']),
          name: span.name,
          kind: span.kind,
          attributes: record(span.attributes),
          eventKeys: (span.events ?? []).flatMap((event) => (event.attributes ?? []).map((a) => a.key)),
          resource,
        });
      }
    }
  }
  return spans;
}

function record(attributes: OtlpKeyValue[] = []): Record<string, unknown> {
  return Object.fromEntries(attributes.map(({ key, value }) => [key, Object.values(value)[0]]));
}
