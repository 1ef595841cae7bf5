#!/usr/bin/env bash
# Prints the directory of the Jaeger UI's web assets for the Jaeger version tools/jaeger runs (the directory that
# holds index.html, for Jaeger's extensions.jaeger_query.ui.assets_path), installing them into the cache beside the
# binary the first time. The UI is its own project (jaeger-ui, same version numbers as Jaeger v1) and its built files
# are not in Jaeger's Go module. Sources, first found wins:
#   1. JAEGER_UI_ASSETS: a jaeger-ui assets.tar.gz (or any tarball of such a build) or a directory holding one;
#   2. ../shared/vendor/jaeger-ui-<version>-assets.tar.gz beside the clone (or beside the main checkout of a git
#      worktree, or beside the local checkout it was cloned from), checked against its .sha256, if present;
#   3. jaeger-ui's GitHub release asset assets.tar.gz over HTTPS (machines that reach GitHub).
# Exits 3, saying how to get them, when there are none: Jaeger then serves its API with a placeholder page.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
version="${JAEGER_VERSION:-v1.76.0}"
ui_version="${JAEGER_UI_VERSION:-$version}"
cache="${MONO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mono}/jaeger/$version"
ui="$cache/ui-$ui_version"
vendored=""
main="$(git -C "$root" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)"
# A clone of a checkout on this machine (CI's fresh clone) looks beside the checkout it was cloned from too.
origin="$(git -C "$root" remote get-url origin 2>/dev/null || true)"
[ -d "$origin" ] || origin=""
for dir in "$root/.." "${main:+$(dirname "$main")/..}" "${origin:+$origin/..}"; do
  [ -n "$dir" ] && [ -f "$dir/shared/vendor/jaeger-ui-$ui_version-assets.tar.gz" ] || continue
  vendored="$(cd "$dir/shared/vendor" && pwd)/jaeger-ui-$ui_version-assets.tar.gz"
  break
done
release="https://github.com/jaegertracing/jaeger-ui/releases/download/$ui_version/assets.tar.gz"

# What the cached copy was made from: a changed JAEGER_UI_ASSETS replaces it.
identity() {
  if [ -d "$1" ]; then echo "dir $(cd "$1" && pwd)"; else echo "file $(cd "$(dirname "$1")" && pwd)/$(basename "$1") $(stat -c '%s %Y' "$1")"; fi
}

# install <tarball or directory> <identity>: unpacks or copies it, finds the directory with index.html, moves it in.
install() {
  local work dir
  work="$(mktemp -d "$cache/ui.XXXXXX")"
  if [ -d "$1" ]; then cp -r "$1/." "$work/"; else tar -xzf "$1" -C "$work" --no-same-owner; fi
  dir="$(find "$work" -maxdepth 4 -name index.html -printf '%h\n' | while read -r d; do [ -d "$d/static" ] && echo "$d"; done | head -1)"
  if [ -z "$dir" ]; then
    rm -rf "$work"
    echo "ensure-ui: $1 holds no Jaeger UI build (no index.html beside a static/ directory)" >&2
    return 1
  fi
  rm -rf "$ui.old" && { [ ! -d "$ui" ] || mv "$ui" "$ui.old"; }
  mv "$dir" "$ui" && echo "$2" >"$ui.source" && rm -rf "$work" "$ui.old"
  echo "ensure-ui: Jaeger UI $ui_version installed in $ui (from $1)" >&2
}

mkdir -p "$cache"
exec 9>"$cache/.ui-lock"
flock 9

if [ -n "${JAEGER_UI_ASSETS:-}" ]; then
  [ -e "$JAEGER_UI_ASSETS" ] || { echo "ensure-ui: JAEGER_UI_ASSETS=$JAEGER_UI_ASSETS does not exist" >&2; exit 1; }
  wanted="$(identity "$JAEGER_UI_ASSETS")"
  if [ "$(cat "$ui.source" 2>/dev/null)" != "$wanted" ]; then install "$JAEGER_UI_ASSETS" "$wanted"; fi
  echo "$ui"
  exit 0
fi
if [ -f "$ui/index.html" ]; then
  echo "$ui"
  exit 0
fi
if [ -n "$vendored" ]; then
  if [ -f "$vendored.sha256" ] && ! (cd "$(dirname "$vendored")" && sha256sum -c --status "$vendored.sha256"); then
    echo "ensure-ui: $vendored does not match its .sha256; not using it" >&2
  else
    install "$vendored" "$(identity "$vendored")"
    echo "$ui"
    exit 0
  fi
fi
if command -v curl >/dev/null 2>&1; then
  download="$(mktemp "$cache/assets.XXXXXX.tar.gz")"
  if curl -fsSL --connect-timeout 5 --max-time 300 -o "$download" "$release" 2>/dev/null; then
    install "$download" "release $release" && rm -f "$download"
    echo "$ui"
    exit 0
  fi
  rm -f "$download"
fi
cat >&2 <<EOF
jaeger: no UI assets for Jaeger UI $ui_version, so Jaeger serves its API and a placeholder page, not the UI.
jaeger: to get the UI, download $release
jaeger: (or build jaeger-ui at that tag) and set JAEGER_UI_ASSETS=<that tarball or its directory>; see tools/jaeger/README.md.
EOF
exit 3
