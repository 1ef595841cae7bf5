#!/usr/bin/env bash
# Prints the path of vegeta (an open-loop HTTP load generator: it sends on schedule whatever the responses), building
# it from the Go module proxy into a cache outside the clone the first time. Used by the load suites and the bench;
# only the all-suites test command runs it (plain `npm test` installs nothing).
set -euo pipefail

version="${VEGETA_VERSION:-v12.13.0}"
cache="${MONO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mono}/vegeta/$version"
bin="$cache/vegeta"

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
# --cached: only say whether it is built (npm test installs and builds nothing).
if [ "${1:-}" = "--cached" ]; then
  echo "ensure-vegeta: not built yet at $bin" >&2
  exit 1
fi
if ! command -v go >/dev/null 2>&1; then
  echo "ensure-vegeta: no cached vegeta at $bin and no Go toolchain to build it" >&2
  exit 3
fi
mkdir -p "$cache"
echo "ensure-vegeta: building vegeta $version from the Go module proxy (first time only)" >&2
start=$SECONDS
GOBIN="$cache/.bin.$$" CGO_ENABLED=0 go install -trimpath -ldflags='-s -w' "github.com/tsenart/vegeta/v12@$version" >&2
mv "$cache/.bin.$$/vegeta" "$bin" && rmdir "$cache/.bin.$$"
echo "ensure-vegeta: built $bin in $((SECONDS - start)) s" >&2
echo "$bin"
