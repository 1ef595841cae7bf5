#!/usr/bin/env bash
# Installs Debian packages for the project's own scripts (the ensure-* scripts, the bench): as root, without a
# prompt or recommends. When the install fails, as it does on a fresh machine whose package lists are missing or
# stale, it updates the lists once and tries again. It waits up to 5 minutes for another apt-get or dpkg to finish
# (two ensure scripts, or an unattended upgrade, at once). apt-get's output goes to /tmp/<who>-apt.log.
#
#   tools/ci/apt-install.sh <who> <package>...
set -euo pipefail
who="$1"
shift
log="/tmp/$who-apt.log"
if [ "$(id -u)" -ne 0 ]; then
  echo "$who: need root to install $* (apt-get)" >&2
  exit 1
fi
echo "$who: installing $* from Debian" >&2
export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -o DPkg::Lock::Timeout=300)
if ! "${apt[@]}" install -y --no-install-recommends "$@" >"$log" 2>&1; then
  "${apt[@]}" update >>"$log" 2>&1
  "${apt[@]}" install -y --no-install-recommends "$@" >>"$log" 2>&1 || {
    echo "$who: apt-get could not install $*; see $log" >&2
    exit 1
  }
fi
