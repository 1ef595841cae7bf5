#!/usr/bin/env bash
# Builds, without pulling anything, the two base images the repo's Dockerfiles use on a machine that cannot reach a
# container registry:
#   mono/base:<recipe>              busybox (a shell, wget), CA certificates, users root and node (1000)
#   mono/node-runtime:<node>-<recipe>  the above plus the project's Node 24 binary and the libraries it links
# Each is a root filesystem assembled from this machine's files and `docker import`ed (about a second). Idempotent:
# an image already present is kept. Prints the node-runtime tag on stdout.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
recipe=r1
node_bin="$(readlink -f "$root/node_modules/.bin/node")"
node_version="$("$node_bin" -p 'process.versions.node')"
base_tag="mono/base:$recipe"
node_tag="mono/node-runtime:$node_version-$recipe"

log() { echo "build-base-images: $*" >&2; }

make_base_rootfs() {
  local fs="$1"
  mkdir -p "$fs"/{bin,usr/bin,usr/local/bin,etc/ssl/certs,tmp,root,home/node,app}
  chmod 1777 "$fs/tmp"
  cp /bin/busybox "$fs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ -e "$fs/bin/$applet" ] || ln -s busybox "$fs/bin/$applet"
  done
  cp /etc/ssl/certs/ca-certificates.crt "$fs/etc/ssl/certs/"
  printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:node:/home/node:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$fs/etc/passwd"
  printf 'root:x:0:\nnode:x:1000:\nnogroup:x:65534:\n' >"$fs/etc/group"
  printf 'hosts: files dns\n' >"$fs/etc/nsswitch.conf"
  chown 1000:1000 "$fs/home/node"
}

import_rootfs() {
  local fs="$1" tag="$2"
  shift 2
  tar -C "$fs" -c . | docker import "$@" - "$tag" >/dev/null
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if ! docker image inspect "$base_tag" >/dev/null 2>&1; then
  log "importing $base_tag"
  make_base_rootfs "$work/base"
  import_rootfs "$work/base" "$base_tag" --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' --change 'CMD ["/bin/sh"]'
fi

if ! docker image inspect "$node_tag" >/dev/null 2>&1; then
  log "importing $node_tag from $node_bin"
  make_base_rootfs "$work/node"
  cp "$node_bin" "$work/node/usr/local/bin/node"
  for lib in $(ldd "$node_bin" | awk '/=>/ { print $3 } /^\t\/lib/ { print $1 }'); do
    mkdir -p "$work/node$(dirname "$lib")"
    cp -L "$lib" "$work/node$lib"
  done
  import_rootfs "$work/node" "$node_tag" --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' --change 'CMD ["node"]'
fi
log "ready: $base_tag, $node_tag"
echo "$node_tag"
