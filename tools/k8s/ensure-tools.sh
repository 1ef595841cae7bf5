#!/usr/bin/env bash
# Prints the paths of kustomize and k8s-check (one a line), building them from the Go module proxy the first time.
# Both live outside the clone, keyed by version (kustomize) and by the hash of this directory's Go sources
# (k8s-check), so every clone and every CI run on this machine reuses them; nothing is installed system-wide.
# First build: ~1 min for kustomize, ~3 min for k8s-check (it compiles the API server's validation code).
# `--cached`: only when both are built already (exit 3 otherwise); builds nothing (npm test asks this way).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
kustomize_version="v5.8.2"
cache="${MONO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mono}/k8s-tools"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

log() { echo "ensure-tools: $*" >&2; }

if ! command -v go >/dev/null 2>&1; then
  log "no Go toolchain: kustomize and k8s-check are built with it"
  exit 3
fi

kustomize_dir="$cache/kustomize-$kustomize_version"
sources_hash="$(cd "$here" && cat go.mod go.sum ./*.go | sha256sum | cut -c1-16)"
check_dir="$cache/k8s-check-$sources_hash"
if [ "${1:-}" = --cached ] && ! { [ -x "$kustomize_dir/kustomize" ] && [ -x "$check_dir/k8s-check" ]; }; then
  log "kustomize $kustomize_version and k8s-check $sources_hash are not both built yet"
  exit 3
fi
if [ ! -x "$kustomize_dir/kustomize" ]; then
  log "building kustomize $kustomize_version (first time only)"
  mkdir -p "$cache"
  tmp="$(mktemp -d "$cache/build.XXXXXX")"
  GOBIN="$tmp" go install "sigs.k8s.io/kustomize/kustomize/v5@$kustomize_version" >&2
  mkdir -p "$kustomize_dir" && mv "$tmp/kustomize" "$kustomize_dir/kustomize" && rm -rf "$tmp"
fi

if [ ! -x "$check_dir/k8s-check" ]; then
  log "building k8s-check $sources_hash (first time for these sources)"
  mkdir -p "$cache"
  tmp="$(mktemp -d "$cache/build.XXXXXX")"
  (cd "$here" && go build -trimpath -o "$tmp/k8s-check" .) >&2
  mkdir -p "$check_dir" && mv "$tmp/k8s-check" "$check_dir/k8s-check" && rm -rf "$tmp"
  # Builds of older sources (other branches, earlier commits) go after a week unused.
  find "$cache" -maxdepth 1 -name 'k8s-check-*' -type d ! -newermt '-7 days' -exec rm -rf {} + 2>/dev/null || true
fi

echo "$kustomize_dir/kustomize"
echo "$check_dir/k8s-check"
