#!/usr/bin/env bash
# Builds the local images tests and examples use, without any registry:
#   rcompose-test/busybox:latest   Debian's busybox-static, `docker import`ed (seconds)
#   rcompose-test/debian:bookworm  debootstrap minbase + postgresql-15, python3 (minutes, once)
#   rcompose-test/postgres:15      images/postgres on top, entrypoint like the official image
# Cached: an image that exists is not rebuilt (use --force). Name images as
# arguments to build only those (and what they need).
set -euo pipefail
cd "$(dirname "$0")/.."

FORCE=0
WANT=()
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) WANT+=("$arg") ;;
  esac
done
[ ${#WANT[@]} -gt 0 ] || WANT=(rcompose-test/busybox:latest rcompose-test/postgres:15)

CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/rcompose-images"
# The mirror this machine's apt uses (deb822 .sources first), else Debian's.
find_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    grep -hoE 'https?://[^ ]+/debian/?( |$)' "$f" | grep -v -e security -e snapshot | head -n1 | tr -d ' ' && return 0
  done
  return 0
}
MIRROR="${DEBIAN_MIRROR:-$(find_mirror)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
export DOCKER_BUILDKIT=0

log() { echo "[test-images] $*"; }
die() { echo "[test-images] error: $*" >&2; exit 1; }
have_image() { [ "$FORCE" = 0 ] && docker image inspect "$1" >/dev/null 2>&1; }

apt_updated=0
need_pkg() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$apt_updated" = 0 ]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq || die "apt-get update failed"
    apt_updated=1
  fi
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || die "cannot install ${missing[*]}"
}

docker info >/dev/null 2>&1 || die "no Docker engine answers (is dockerd running? DOCKER_HOST=${DOCKER_HOST:-unset})"

build_busybox() {
  local name=rcompose-test/busybox:latest
  if have_image "$name"; then log "$name: cached"; return; fi
  need_pkg busybox-static
  local root
  root=$(mktemp -d)
  trap 'rm -rf "$root"' RETURN
  mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/root"
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
  log "importing $name"
  tar -C "$root" -c . | docker import -c 'CMD ["sh"]' -c 'ENV PATH=/bin:/sbin:/usr/bin' - "$name" >/dev/null
  docker run --rm "$name" sh -c 'echo ok' | grep -q ok || die "$name does not run"
}

build_debian() {
  local name=rcompose-test/debian:bookworm
  if have_image "$name"; then log "$name: cached"; return; fi
  need_pkg debootstrap
  local root="$CACHE/debian-rootfs"
  rm -rf "$root"
  mkdir -p "$CACHE"
  log "debootstrap bookworm from $MIRROR (a few minutes)"
  debootstrap --variant=minbase bookworm "$root" "$MIRROR" > "$CACHE/debootstrap.log" 2>&1 || die "debootstrap failed, see $CACHE/debootstrap.log"
  printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
  chmod +x "$root/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  log "installing postgresql-15 and python3 in the rootfs"
  chroot "$root" /bin/sh -c 'export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql-15 python3 python3-psycopg2 ca-certificates >/dev/null && apt-get clean' \
    > "$CACHE/chroot.log" 2>&1 || die "package install in the rootfs failed, see $CACHE/chroot.log"
  rm -rf "$root/var/lib/apt/lists/"* "$root/usr/share/doc" "$root/usr/share/man" "$root/var/lib/postgresql/15" "$root/etc/postgresql/15/main" "$root/usr/sbin/policy-rc.d"
  : > "$root/etc/resolv.conf"
  log "importing $name"
  tar -C "$root" -c . | docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$name" >/dev/null
  rm -rf "$root"
}

build_postgres() {
  local name=rcompose-test/postgres:15
  if have_image "$name"; then log "$name: cached"; return; fi
  build_debian
  log "building $name"
  docker build -q -t "$name" images/postgres >/dev/null || die "docker build of $name failed"
}

for image in "${WANT[@]}"; do
  case "$image" in
    rcompose-test/busybox*) build_busybox ;;
    rcompose-test/debian*) build_debian ;;
    rcompose-test/postgres*) build_postgres ;;
    *) die "unknown image $image" ;;
  esac
done
log "ready: ${WANT[*]}"
