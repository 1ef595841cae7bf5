#!/usr/bin/env bash
# `nx serve jaeger`: Jaeger v2 with OTLP on 4317/4318 and the query API (and UI) on 16686, in memory.
# The cached Go-built binary (built from the Go module proxy the first time, printing progress); else the official
# image where this machine can pull it; else a clear message, and the services keep running without a collector.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
image="${JAEGER_IMAGE:-jaegertracing/jaeger:2.13.0}"

if bin="$(bash "$root/tools/jaeger/ensure-jaeger.sh")"; then
  echo "jaeger: $bin, query API on http://127.0.0.1:${JAEGER_QUERY_PORT:-16686} (the Go build has no UI: npx nx run tools:trace <id>)"
  OTEL_TRACES_EXPORTER=none exec "$bin" --config "$root/infra/jaeger/config.yaml"
fi
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 && docker pull -q "$image" >/dev/null 2>&1; then
  echo "jaeger: running $image (UI on http://127.0.0.1:16686)"
  exec docker run --rm --name mono-jaeger -p 127.0.0.1:16686:16686 -p 127.0.0.1:4317:4317 -p 127.0.0.1:4318:4318 "$image"
fi
echo "jaeger: not started: no cached binary, no Go toolchain to build one, and no Docker image to pull ($image)." >&2
echo "jaeger: the services run anyway; each logs once that trace export fails." >&2
exec sleep infinity
