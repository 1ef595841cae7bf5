#!/usr/bin/env bash
# Runs one service from its bundle (apps/<name>/dist/main.cjs) the way every launcher does: serve, the e2e suites
# and the benchmark. The container images set the same environment in their Dockerfile.
#
#   tools/run/service.sh <edge|gateway|framework> [--check-config]
#
# The Node/V8 flags are in tools/run/node-flags, with why each is there. MALLOC_MMAP_THRESHOLD_ (2 MiB, above the
# largest gRPC message a service allocates) lets glibc reuse freed message buffers instead of mapping and faulting in
# fresh pages for each (docs/adr/0037-message-buffers-from-the-heap.md); MALLOC_ARENA_MAX keeps it from holding what a
# burst freed in an arena per thread (docs/adr/0017-edge-workers.md).
set -euo pipefail
name="$1"
shift
root="$(cd "$(dirname "$0")/../.." && pwd)"
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-2097152}"
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
dist="$root/apps/$name/dist"
# The project's Node 24 (the `node` devDependency), whatever PATH says; the machine's own node may be older.
node="$root/node_modules/.bin/node"
[ -x "$node" ] || node=node
# A command substitution, not `< <(grep …)`: bash waits for it, whereas a process substitution's grep can outlive
# the exec below as a zombie child of node that nothing reaps, and `nx serve`, stopping a task's process tree
# leaves first, waits for that zombie until its grace period ends and then SIGKILLs the service.
# Lines starting with "-" are every service's flags; "<name>: …" lines are one service's.
read -r -a flags <<< "$(sed -n -e '/^-/p' -e "s/^$name: //p" "$root/tools/run/node-flags" | tr '\n' ' ')"
# dist/telemetry.cjs starts OpenTelemetry before main.cjs loads what it instruments. The arguments after the name
# are the service's own (--check-config), so they follow main.cjs: before it, Node would take them for its options.
exec "$node" "${flags[@]}" --require "$dist/telemetry.cjs" "$dist/main.cjs" "$@"
