#!/usr/bin/env bash
# Builds the images of the three services and Jaeger on this machine, without a registry: base images imported
# from local files, build contexts staged on the host (bundles + production node_modules), the cached Jaeger binary
# and, when tools/jaeger/ensure-ui.sh finds them, the Jaeger UI's assets.
# Names and versions come from infra/compose/.env, so compose and the integration suite use exactly these images.
# Idempotent; a rebuild with nothing changed takes seconds (Docker's layer cache).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
set -a
# shellcheck source=/dev/null
. infra/compose/.env
set +a
export DOCKER_BUILDKIT=0

log() { echo "build-images: $*" >&2; }

bash tools/docker/ensure-engine.sh
node_image="${MONO_NODE_IMAGE:-$(bash tools/docker/build-base-images.sh)}"
jaeger_bin="$(bash tools/jaeger/ensure-jaeger.sh)"
jaeger_version="$(basename "$(dirname "$jaeger_bin")")"

node_modules/.bin/nx run-many -t build --projects=edge,gateway,framework --output-style=static >/dev/null
mkdir -p tmp/docker

build() {
  local tag="$1" dockerfile="$2" context="$3"
  shift 3
  local started=$SECONDS
  if ! docker build -q --label "org.opencontainers.image.source=mono" -t "$tag" -f "$dockerfile" "$@" "$context" \
    >/dev/null 2>"$root/tmp/docker/build.log"; then
    cat "$root/tmp/docker/build.log" >&2
    exit 1
  fi
  log "$tag ($((SECONDS - started)) s)"
}

for app in edge gateway framework; do
  node tools/docker/stage-app.mjs "$app" >/dev/null
  upper="$(echo "$app" | tr '[:lower:]' '[:upper:]')"
  image_var="IMAGE_${upper}"
  build "${!image_var}" "apps/$app/Dockerfile" "tmp/docker/$app" --build-arg "NODE_IMAGE=$node_image"
done

jaeger_stage="tmp/docker/jaeger"
rm -rf "$jaeger_stage" && mkdir -p "$jaeger_stage"
cp "$jaeger_bin" "$jaeger_stage/jaeger"
cp infra/jaeger/config.yaml "$jaeger_stage/config.yaml"
mkdir "$jaeger_stage/ui"
ui_arg=()
if jaeger_ui="$(bash tools/jaeger/ensure-ui.sh)"; then
  cp -r "$jaeger_ui/." "$jaeger_stage/ui/" && ui_arg=(--build-arg "UI_ASSETS_PATH=/usr/share/jaeger-ui")
fi
build "mono/jaeger:$jaeger_version" infra/jaeger/Dockerfile "$jaeger_stage" --build-arg "BASE_IMAGE=mono/base:r1" "${ui_arg[@]}"
# The suites use the local Jaeger image unless JAEGER_IMAGE names another (libs/testing composeEnv).
echo "mono/jaeger:$jaeger_version" > tmp/docker/jaeger-image
echo "mono/jaeger:$jaeger_version"
