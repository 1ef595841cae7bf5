#!/usr/bin/env bash
# `nx serve jaeger`: Jaeger v2 with OTLP on 4317/4318 and the UI and query API on 16686, in memory, with the
# repository's configuration (infra/jaeger/config.yaml).
# The cached Go-built binary (built from the Go module proxy the first time, printing progress) with the Jaeger UI's
# assets (tools/jaeger/ensure-ui.sh); else the official image where this machine can pull it; else a clear message,
# and the services keep running without a collector (each buffers its spans until one comes up).
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
image="${JAEGER_IMAGE:-jaegertracing/jaeger:2.13.0}"
ui_url="http://127.0.0.1:${JAEGER_QUERY_PORT:-16686}"

if bin="$(bash "$root/tools/jaeger/ensure-jaeger.sh")"; then
  if assets="$(bash "$root/tools/jaeger/ensure-ui.sh")"; then
    echo "jaeger: $bin, UI and query API on $ui_url"
    export JAEGER_UI_ASSETS_PATH="$assets"
  else
    echo "jaeger: $bin, query API on $ui_url (no UI: see above; npx nx run tools:trace <id> prints a trace)"
  fi
  exec "$bin" --config "$root/infra/jaeger/config.yaml"
fi
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 && docker pull -q "$image" >/dev/null 2>&1; then
  echo "jaeger: running $image with infra/jaeger/config.yaml (UI on $ui_url)"
  exec docker run --rm --name mono-jaeger -e JAEGER_HOST=0.0.0.0 \
    -v "$root/infra/jaeger/config.yaml:/etc/jaeger/config.yaml:ro" \
    -p 127.0.0.1:16686:16686 -p 127.0.0.1:4317:4317 -p 127.0.0.1:4318:4318 "$image" --config /etc/jaeger/config.yaml
fi
echo "jaeger: not started: no cached binary, no Go toolchain to build one, and no Docker image to pull ($image)." >&2
echo "jaeger: the services run anyway; each keeps its spans in a bounded buffer until a collector answers." >&2
exec sleep infinity
