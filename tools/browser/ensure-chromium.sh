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
  bash "$(dirname "$0")/../ci/apt-install.sh" ensure-chromium "${missing[@]}"
fi
log "$(/usr/bin/chromium --version 2>/dev/null || echo 'chromium installed')"
