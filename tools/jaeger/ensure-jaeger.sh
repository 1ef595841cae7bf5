#!/usr/bin/env bash
# Prints the path of a Jaeger v2 binary, building it from the Go module proxy when it is not cached yet.
# The binary lives outside the clone (keyed by version) so every clone and every CI run on this machine reuses it.
# Tag v1.76.0 of github.com/jaegertracing/jaeger carries the Jaeger v2 binary (cmd/jaeger); later v2 tags are not
# usable by the go command (module path without /v2). `go install` refuses it (replace directive).
set -euo pipefail

version="${JAEGER_VERSION:-v1.76.0}"
cache="${MONO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mono}/jaeger/$version"
bin="$cache/jaeger"

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "ensure-jaeger: no cached Jaeger at $bin and no Go toolchain to build it" >&2
  exit 3
fi

mkdir -p "$cache"
work="$(mktemp -d "$cache/build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "ensure-jaeger: building Jaeger $version from the Go module proxy (first time only; several minutes)" >&2
start=$SECONDS
(
  # Build inside a copy of the module's own source: its go.sum and replace directives then apply, so every
  # dependency is checked against the hashes Jaeger's authors committed.
  src="$(go mod download -json "github.com/jaegertracing/jaeger@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -d "$src" ] || { echo "ensure-jaeger: go mod download gave no source directory" >&2; exit 1; }
  cp -r "$src/." "$work/src" && chmod -R u+w "$work/src"
  cd "$work/src"
  CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$work/jaeger" ./cmd/jaeger >&2
)
mv "$work/jaeger" "$bin.tmp" && mv "$bin.tmp" "$bin"
echo "ensure-jaeger: built $bin in $((SECONDS - start)) s" >&2
echo "$bin"
