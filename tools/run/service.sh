#!/usr/bin/env bash
# Runs one service from its bundle (apps/<name>/dist/main.cjs) the way every launcher does: serve, the e2e suites
# and the benchmark. The container images set the same environment in their Dockerfile.
#
# MALLOC_MMAP_THRESHOLD_: glibc raises its mmap threshold after the first large free, after which the 1 MiB
# buffers of a streaming body come from the heap and stay resident once freed; pinning it keeps each service
# ~15-20 MB lower while a large body streams (docs/adr/0003-memory.md).
set -euo pipefail
name="$1"
shift
root="$(cd "$(dirname "$0")/../.." && pwd)"
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-131072}"
exec node --enable-source-maps "$@" "$root/apps/$name/dist/main.cjs"
