#!/usr/bin/env bash
# A self-signed development certificate for the edge's HTTPS listener under `serve`: localhost, 127.0.0.1 and ::1,
# valid 30 days, made with openssl into tmp/tls/ (ignored by git, never committed) when missing or expiring within a
# day. Prints nothing else; without openssl it says so and exits non-zero (the caller serves plain HTTP only).
#
#   tools/tls/dev-cert.sh        → tmp/tls/cert.pem, tmp/tls/key.pem
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=tmp/tls
cert="$dir/cert.pem" key="$dir/key.pem"
if ! command -v openssl > /dev/null; then
  echo "dev-cert: no openssl here: the edge serves plain HTTP only (install openssl for HTTPS and HTTP/2)" >&2
  exit 1
fi
if [ -f "$cert" ] && [ -f "$key" ] && openssl x509 -in "$cert" -noout -checkend 86400 > /dev/null 2>&1; then exit 0; fi
mkdir -p "$dir"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
  -subj '/CN=localhost' -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1' \
  -keyout "$key.tmp" -out "$cert.tmp" 2> /dev/null
chmod 600 "$key.tmp"
mv "$key.tmp" "$key"
mv "$cert.tmp" "$cert"
echo "dev-cert: made a self-signed certificate for localhost in $dir (30 days)" >&2
