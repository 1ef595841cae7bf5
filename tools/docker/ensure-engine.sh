#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine: installs Debian's docker.io (and docker-compose 1.29, and
# busybox-static for the base images) when missing, and starts dockerd in the background when it is not running.
# Idempotent and quick when all is already there. CI calls it through the README's test command.
set -euo pipefail

log() { echo "ensure-engine: $*" >&2; }

if docker info >/dev/null 2>&1; then
  log "engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
  exit 0
fi

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
[ -x /bin/busybox ] || missing+=(busybox-static)
if [ ${#missing[@]} -gt 0 ]; then
  bash "$(dirname "$0")/../ci/apt-install.sh" ensure-engine "${missing[@]}"
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
  log "starting dockerd"
  # setsid: the engine outlives this script (and the test run that called it), like a system service would.
  setsid dockerd >/var/log/mono-dockerd.log 2>&1 < /dev/null &
fi
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    log "engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
    exit 0
  fi
  sleep 0.5
done
log "dockerd did not answer within 30 s; see /var/log/mono-dockerd.log"
tail -20 /var/log/mono-dockerd.log >&2 || true
exit 1
