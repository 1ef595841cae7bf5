#!/usr/bin/env bash
# Prints the path of a Jaeger v2 binary, building it from the Go module proxy when it is not cached yet.
# `--cached`: only when it is cached already (exit 3 otherwise); builds nothing (npm test asks this way).
# The binary lives outside the clone (keyed by version) so every clone and every CI run on this machine reuses it.
# Tag v1.76.0 of github.com/jaegertracing/jaeger carries the Jaeger v2 binary (cmd/jaeger); later v2 tags are not
# usable by the go command (module path without /v2). `go install` refuses it (replace directive).
#
# The build sets Jaeger's version variables (-ldflags -X …/internal/version.*, as upstream's Makefile does) so the
# UI's "About" and /api/version name the release; jaeger.build beside the binary records how it was built, and a
# binary built another way (an older recipe of this script) is rebuilt. One build at a time per version (flock).
set -euo pipefail

version="${JAEGER_VERSION:-v1.76.0}"
cache="${MONO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mono}/jaeger/$version"
bin="$cache/jaeger"
stamp="$cache/jaeger.build"
# The commit each known tag points at (the Go module proxy does not say); JAEGER_COMMIT names it for other versions.
case "$version" in
  v1.76.0) known_commit=63b27e1810a710ac54dc4522da0538e540bdc545 ;;
  *) known_commit="" ;;
esac
commit="${JAEGER_COMMIT:-$known_commit}"
# Bump the "rN" recipe number when the way the binary is built changes: cached binaries built the old way are then rebuilt.
key="r3 $version commit=$commit ldflags=internal/version.latestVersion,commitSHA,date"

cached() { [ -x "$bin" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ]; }

if cached; then
  echo "$bin"
  exit 0
fi
if [ "${1:-}" = --cached ]; then
  echo "ensure-jaeger: no cached Jaeger at $bin" >&2
  exit 3
fi
if ! command -v go >/dev/null 2>&1; then
  if [ -x "$bin" ]; then
    echo "ensure-jaeger: $bin was built without version flags and there is no Go toolchain to rebuild it; using it" >&2
    echo "$bin"
    exit 0
  fi
  echo "ensure-jaeger: no cached Jaeger at $bin and no Go toolchain to build it" >&2
  exit 3
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
if ! flock -n 9; then
  echo "ensure-jaeger: another process is building Jaeger $version; waiting for it" >&2
  flock 9
fi
if cached; then
  echo "$bin"
  exit 0
fi

work="$(mktemp -d "$cache/build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "ensure-jaeger: building Jaeger $version from the Go module proxy (first time only; several minutes)" >&2
start=$SECONDS
(
  # Build inside a copy of the module's own source: its go.sum and replace directives then apply, so every
  # dependency is checked against the hashes Jaeger's authors committed.
  info="$(go mod download -json "github.com/jaegertracing/jaeger@$version")"
  src="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$info")"
  [ -d "$src" ] || { echo "ensure-jaeger: go mod download gave no source directory" >&2; exit 1; }
  # The tag's commit time, and the v2 release paired with this v1 tag ("v1.76.0 / v2.13.0 (…)" in its changelog).
  meta="$(sed -n 's/^[[:space:]]*"Info": "\(.*\)",$/\1/p' <<<"$info")"
  date="$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$meta")"
  release="$(sed -n "s|^$version / \(v2\.[0-9.]*\) .*|\1|p" "$src/CHANGELOG.md" | head -1)"
  pkg=github.com/jaegertracing/jaeger/internal/version
  ldflags="-s -w -X $pkg.latestVersion=${release:-$version} -X $pkg.commitSHA=$commit -X $pkg.date=$date"
  cp -r "$src/." "$work/src" && chmod -R u+w "$work/src"
  cd "$work/src"
  CGO_ENABLED=0 go build -trimpath -ldflags="$ldflags" -o "$work/jaeger" ./cmd/jaeger >&2
)
mv "$work/jaeger" "$bin.tmp" && mv "$bin.tmp" "$bin"
echo "$key" >"$stamp"
echo "ensure-jaeger: built $bin in $((SECONDS - start)) s" >&2
echo "$bin"
