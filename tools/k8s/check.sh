#!/usr/bin/env bash
# Checks the Kubernetes manifests strictly, where no cluster runs: `kustomize build` of every overlay under
# infra/k8s/overlays (or of the kustomization directories given), then k8s-check on each rendering (strict
# decoding, the API server's validation and Pod Security "restricted" at the pinned version, the stack's rules),
# then Jaeger's own `validate` on the Collector and Jaeger configuration files the rendering mounts, and the edge's
# own --check-config on the edge's configuration file (needs the edge built).
# Renderings go to tmp/k8s/<name>.yaml (or $MONO_K8S_OUT). Exits non-zero when anything fails; prints every
# problem, each on a line that starts with the rendering it was found in.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
out="${MONO_K8S_OUT:-$root/tmp/k8s}"
rm -rf "$out" && mkdir -p "$out/configs"

{ read -r kustomize && read -r k8s_check; } < <(bash tools/k8s/ensure-tools.sh) || exit 3
[ -n "${k8s_check:-}" ] || exit 3

if [ $# -gt 0 ]; then dirs=("$@"); else dirs=(infra/k8s/overlays/*/); fi
status=0
for dir in "${dirs[@]}"; do
  dir="${dir%/}"
  rendered="$out/$(basename "$dir").yaml"
  if ! "$kustomize" build "$dir" > "$rendered"; then
    echo "check: kustomize build $dir failed" >&2
    status=1
    continue
  fi
  "$k8s_check" -configs "$out/configs" "$rendered" || status=1
done

if compgen -G "$out/configs/*.yaml" >/dev/null; then
  jaeger="$(bash tools/jaeger/ensure-jaeger.sh)" || exit 3
  for config in "$out"/configs/*.yaml; do
    if ! message="$(OTEL_TRACES_EXPORTER=none "$jaeger" validate --config "$config" 2>&1)"; then
      # configs/<rendering>.<deployment>.<container>.yaml
      IFS=. read -r rendering deployment container _ <<< "$(basename "$config")"
      why="$(echo "$message" | grep -v -e 'application version' -e '^[0-9]\{4\}/' | grep . | awk '!seen[$0]++' | tr '\n' ' ')"
      echo "$out/$rendering.yaml: Deployment/$deployment: container $container: Jaeger's validate rejects its --config file: $why"
      status=1
    fi
  done
fi
# The edge's configuration file, as the ConfigMap mounts it: valid for the edge's own schema (its --check-config).
for config in infra/k8s/base/config/edge.yaml; do
  if [ ! -f apps/edge/dist/main.cjs ]; then
    echo "check: $config: not checked against the edge's schema: build the edge first (npx nx run edge:build)" >&2
    status=1
  elif ! message="$(EDGE_CONFIG="$config" bash tools/run/service.sh edge --check-config 2>&1 >/dev/null)"; then
    echo "$config: the edge's --check-config rejects it: $message"
    status=1
  fi
done
exit "$status"
