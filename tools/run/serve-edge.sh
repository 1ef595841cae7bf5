#!/usr/bin/env bash
# `nx serve edge`: the edge from the shipped file, with its HTTPS listener (HTTP/2 by ALPN) on 127.0.0.1:8443 under a
# self-signed development certificate (tools/tls/dev-cert.sh; `curl --http2 -k https://127.0.0.1:8443/hello`).
# Without openssl it serves plain HTTP only. A certificate given in EDGE_TLS_CERT/EDGE_TLS_KEY is used instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${EDGE_TLS_CERT:-}" ] && bash tools/tls/dev-cert.sh; then
  export EDGE_TLS_CERT="$PWD/tmp/tls/cert.pem" EDGE_TLS_KEY="$PWD/tmp/tls/key.pem"
fi
EDGE_CONFIG="${EDGE_CONFIG:-infra/config/edge.yaml}" exec tools/run/service.sh edge "$@"
