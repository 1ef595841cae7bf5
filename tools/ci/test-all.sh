#!/usr/bin/env bash
# Runs every check and test suite of the workspace, printing the time of each phase, and ends with one line
# `N passed, N failed` over all of them (tools/ci/summarize.mjs). This is what the README's test command and CI run.
set -uo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"

export MONO_TEST_REPORT_DIR="$root/tmp/test-results"
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false NX_SKIP_NX_CACHE=true FORCE_COLOR=0
rm -rf "$MONO_TEST_REPORT_DIR"
mkdir -p "$MONO_TEST_REPORT_DIR"
phases="$MONO_TEST_REPORT_DIR/phases.tsv"
: > "$phases"
started=$SECONDS

# phase <name> <kind: check|suite> <target or -> <command...>
phase() {
  local name="$1" kind="$2" target="$3"
  shift 3
  local begin=$SECONDS
  echo
  echo "=== phase $name ==="
  "$@"
  local rc=$?
  local took=$((SECONDS - begin))
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$kind" "$target" "$rc" "$took" >> "$phases"
  echo "=== phase $name: ${took} s, exit $rc ==="
}

nx() { node_modules/.bin/nx "$@" --output-style=static; }

phase node check - node tools/ci/check-node.cjs
phase contracts check - nx run contracts:check
phase docs check - node tools/docs/check.mjs
phase jaeger check - bash tools/jaeger/ensure-jaeger.sh
phase k8s check - bash tools/k8s/check.sh
phase build check - nx run-many -t build
phase lint check - nx run-many -t lint
phase typecheck check - nx run-many -t typecheck
phase unit suite test nx run-many -t test --parallel=2
phase e2e suite e2e nx run-many -t e2e --parallel=1
phase chromium check - bash tools/browser/ensure-chromium.sh
phase browser suite browser nx run-many -t browser --parallel=1
phase engine check - bash tools/docker/ensure-engine.sh
phase images check - bash tools/docker/build-images.sh
bash tools/docker/cleanup.sh
trap 'bash tools/docker/cleanup.sh' EXIT INT TERM
phase integration suite integration nx run-many -t integration --parallel=1 --excludeTaskDependencies
bash tools/docker/cleanup.sh

echo
echo "total: $((SECONDS - started)) s"
node tools/ci/summarize.mjs "$MONO_TEST_REPORT_DIR"
