#!/usr/bin/env bash
# Makes sure Debian's Chromium and a font for it are installed, for the browser suite (apps/jaeger-ui-e2e), which
# drives it with playwright-core (Playwright's own browser download cannot reach these machines). Idempotent and
# quick when both are there. Only the all-suites test command runs it: `npm test` installs nothing.
set -euo pipefail

log() { echo "ensure-chromium: $*" >&2; }

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s fonts-liberation >/dev/null 2>&1 || missing+=(fonts-liberation)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "need root to install ${missing[*]} (apt-get)"
    exit 1
  fi
  log "installing ${missing[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/ensure-chromium-apt.log 2>&1 || {
    apt-get update >/tmp/ensure-chromium-apt.log 2>&1
    apt-get install -y --no-install-recommends "${missing[@]}" >>/tmp/ensure-chromium-apt.log 2>&1
  }
fi
log "$(/usr/bin/chromium --version 2>/dev/null || echo 'chromium installed')"
