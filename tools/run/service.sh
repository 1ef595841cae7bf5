#!/usr/bin/env bash
# Runs one service from its bundle (apps/<name>/dist/main.cjs) the way every launcher does: serve, the e2e suites
# and the benchmark. The container images set the same environment in their Dockerfile.
#
# --expose-gc lets the transport ask for a minor GC every few MiB of body it moves, and MALLOC_MMAP_THRESHOLD_
# keeps glibc from holding freed 1 MiB message buffers: together they keep a service streaming a large body
# ~50 MiB smaller. A 4 MiB semi-space (by default V8 lets the young generation grow to 64 MiB under load) halved
# the three services' memory after load and their p99 at the same throughput (docs/adr/0003-memory.md).
# --no-allocation-site-pretenuring: V8 took the requests in flight during a scavenge for long-lived objects and
# allocated their kind straight into the old generation, where each pinned the young objects of its request until
# the next full GC; a third of the young generation survived every scavenge (docs/adr/0004-request-cost.md).
# --initial-old-space-size=64: with V8's default first limit (~27 MiB here) a service streaming a body could fall into
# starting a mark-compact after nearly every scavenge (the body's buffers' external memory), 3-4x its CPU and half the
# MB/s, or not, per run; with 64 every run streamed in the cheap state (docs/adr/0004-request-cost.md).
set -euo pipefail
name="$1"
shift
root="$(cd "$(dirname "$0")/../.." && pwd)"
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-131072}"
dist="$root/apps/$name/dist"
# The project's Node 24 (the `node` devDependency), whatever PATH says; the machine's own node may be older.
node="$root/node_modules/.bin/node"
[ -x "$node" ] || node=node
# dist/telemetry.cjs starts OpenTelemetry before main.cjs loads what it instruments.
exec "$node" --enable-source-maps --expose-gc --max-semi-space-size=4 --initial-old-space-size=64 --no-allocation-site-pretenuring --require "$dist/telemetry.cjs" "$@" "$dist/main.cjs"
