#!/usr/bin/env bash
# The test command, in two forms. Both time each phase and end with one line, `N passed, N failed`, over every
# check and test (tools/ci/summarize.mjs).
#
#   npm test           every check, and every suite that needs nothing beyond `npm ci`: installs nothing, builds
#                      nothing outside the clone, starts no daemon. Names at its end each suite it skipped, why, and
#                      the command that runs it.
#   npm run test:all   (--all) every suite: first installs, builds or starts what they need (tools/ci/needs.sh),
#                      saying so. The README's test command; CI (.ci/run) runs exactly it.
set -uo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
# shellcheck source=tools/ci/needs.sh
. tools/ci/needs.sh

all=false
case "${1:-}" in
  --all) all=true ;;
  '') ;;
  *)
    echo "usage: tools/ci/test.sh [--all]" >&2
    exit 2
    ;;
esac

# The checks and suites that need more than `npm ci`, and what (tools/ci/needs.sh): `check:<phase>` for a check,
# `<project>:<target>` for a suite. Anything not listed needs nothing.
declare -A NEEDS=(
  [check:k8s]="k8s_tools jaeger"
  [runtime:test]="cc"
  [k8s:test]="k8s_tools jaeger"
  [trace-e2e:e2e]="jaeger"
  [resilience-e2e:e2e]="vegeta"
  [jaeger-ui-e2e:browser]="chromium jaeger"
  [stack-integration:integration]="engine images vegeta"
  [load-e2e:load]="load"
)

export MONO_TEST_REPORT_DIR="$root/tmp/test-results"
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false NX_SKIP_NX_CACHE=true FORCE_COLOR=0
rm -rf "$MONO_TEST_REPORT_DIR"
mkdir -p "$MONO_TEST_REPORT_DIR"
phases="$MONO_TEST_REPORT_DIR/phases.tsv"
: > "$phases"
started=$SECONDS

# record <name> <kind: check|suite|skip> <target> <projects> <exit> <seconds> [why] [command]
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "${7:--}" "${8:--}" >> "$phases"; }

# phase <name> <kind> <target or -> <projects or -> <command...>
phase() {
  local name="$1" kind="$2" target="$3" projects="$4"
  shift 4
  local begin=$SECONDS
  echo
  echo "=== phase $name ==="
  "$@"
  local rc=$?
  local took=$((SECONDS - begin))
  record "$name" "$kind" "$target" "$projects" "$rc" "$took"
  echo "=== phase $name: ${took} s, exit $rc ==="
}

nx() { node_modules/.bin/nx "$@" --output-style=static; }

# join <separator> <item...>
join() {
  local separator="$1" out="$2"
  shift 2
  for item in "$@"; do out+="$separator$item"; done
  echo "$out"
}

# Whether a need is here; under --all, ensures it first (once, as a phase of its own, saying what it does).
declare -A ensured=()
have() {
  local need="$1" about="need_${1}_about"
  if ! $all; then
    "need_${need}_here"
    return
  fi
  if [ -z "${ensured[$need]:-}" ]; then
    echo
    echo "test:all: ensuring ${!about}"
    phase "ensure-$need" check - - "need_${need}_ensure"
    if [ "$(tail -1 "$phases" | cut -f5)" = 0 ]; then ensured[$need]=ok; else ensured[$need]=failed; fi
  fi
  [ "${ensured[$need]}" = ok ]
}

# unmet <key>: sets `missing` to the needs of NEEDS[key] that are not here (under --all, after trying to ensure
# each; in this shell, not a subshell, so that each need is ensured once and its phase is printed and recorded).
missing=()
unmet() {
  local need
  missing=()
  for need in ${NEEDS[$1]:-}; do
    have "$need" && continue
    missing+=("$need")
    # One failed ensure is enough: the next (images without an engine) could only fail after it.
    $all && return
  done
}

# skip <name> <target> <projects> <command> <need...>: records a check or suite not run, why, and how to run it.
skip() {
  local name="$1" target="$2" projects="$3" command="$4" need why=()
  shift 4
  for need in "$@"; do
    local about="need_${need}_about"
    why+=("${!about}")
  done
  if $all; then
    record "$name" skip "$target" "$projects" - 0 "ensuring what it needs failed: $(join '; ' "${why[@]}")"
  else
    record "$name" skip "$target" "$projects" - 0 "needs $(join '; ' "${why[@]}")" "npm run test:all ($command)"
  fi
}

# check <name> <command...>: a check phase, or a skipped one when it needs what is not here.
check() {
  local name="$1"
  shift
  unmet "check:$name"
  if [ ${#missing[@]} -gt 0 ]; then
    skip "check $name" - - "this check alone: $*" "${missing[@]}"
    return 0
  fi
  phase "$name" check - - "$@"
}

# suites <phase name> <target> [nx options...]: every project with the target whose needs are met, in one phase;
# the others recorded as skipped, with why and the command that runs them.
suites() {
  local name="$1" target="$2"
  shift 2
  local runnable=() project
  for project in $(node_modules/.bin/nx show projects --with-target "$target"); do
    unmet "$project:$target"
    if [ ${#missing[@]} -eq 0 ]; then
      runnable+=("$project")
    else
      skip "$project:$target" "$target" "$project" "this suite alone: npx nx run $project:$target" "${missing[@]}"
    fi
  done
  [ ${#runnable[@]} -eq 0 ] && return 0
  local list
  list="$(IFS=, && echo "${runnable[*]}")"
  phase "$name" suite "$target" "$list" nx run-many -t "$target" --projects="$list" "$@"
}

if $all; then
  echo "test:all: every check and suite; installs, builds or starts first what the suites need (tools/ci/needs.sh)"
else
  echo "npm test: every check, and every suite that needs nothing beyond npm ci (npm run test:all runs them all)"
fi

check node node tools/ci/check-node.cjs
check format node_modules/.bin/prettier --check .
check contracts nx run contracts:check
check docs node tools/docs/check.mjs
# The services' builds compile the malloc_trim addon where a C compiler is (and go without it elsewhere): under --all
# the compiler is there first, so that the suites below run the services as they are meant to.
if $all; then have cc || true; fi
# Jaeger's build target is its binary: a need of the suites that use it, not a build of this checkout.
check build nx run-many -t build --exclude=jaeger
check k8s bash tools/k8s/check.sh
check lint nx run-many -t lint
check typecheck nx run-many -t typecheck
suites unit test --parallel=2
suites e2e e2e --parallel=1
suites browser browser --parallel=1
suites load load --parallel=1
if $all; then
  # What an interrupted earlier run left, and what this one leaves however it ends.
  bash tools/docker/cleanup.sh
  trap 'bash tools/docker/cleanup.sh' EXIT INT TERM
fi
# The images are a need (ensured above under --all): not their build again as a task dependency.
suites integration integration --parallel=1 --excludeTaskDependencies

echo
echo "total: $((SECONDS - started)) s"
node tools/ci/summarize.mjs "$MONO_TEST_REPORT_DIR"
