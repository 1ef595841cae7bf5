#!/usr/bin/env bash
# Makes sure a C compiler is installed (Debian's gcc and libc6-dev), for the malloc_trim addon the builds compile
# (tools/build/malloc-trim.mjs) and its test in libs/runtime. Idempotent and quick when it is there. Only the
# all-suites test command runs it: without a compiler the builds still succeed and the services run without the addon.
set -euo pipefail

log() { echo "ensure-cc: $*" >&2; }

if ! command -v "${CC:-cc}" >/dev/null 2>&1 || [ ! -e /usr/include/malloc.h ]; then
  bash "$(dirname "$0")/../ci/apt-install.sh" ensure-cc gcc libc6-dev
fi
log "$("${CC:-cc}" --version | head -1)"
