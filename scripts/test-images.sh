#!/usr/bin/env bash
# Builds the local Docker images the tests and examples use, without any
# container registry (only Debian's apt mirror is needed):
#
#   rcompose-test/busybox:latest   Debian's busybox-static, `docker import`ed (seconds)
#   rcompose-test/debian:bookworm  debootstrap minbase + postgresql-15, python3,
#                                  python3-psycopg2 (a few minutes, once)
#   rcompose-test/postgres:15      images/postgres on top of it; entrypoint,
#                                  env vars and volume like the official image
#
# Usage: scripts/test-images.sh [--force] [IMAGE...]
#   IMAGE     build only these (and what they need); full names, or short ones
#             (busybox, debian, postgres). Default: all three.
#   --force   rebuild the named images (default: all) even if they exist.
#
# Cached: an image that exists and carries the current recipe label is kept, so
# a second run takes seconds. The postgres image is rebuilt by itself when
# images/postgres/* or the Debian base change. Work dirs live outside the repo,
# in ${XDG_CACHE_HOME:-$HOME/.cache}/rcompose-images (RCOMPOSE_IMAGES_CACHE).
# Needs root for apt-get/debootstrap/chroot (when something has to be built).
# DEBIAN_MIRROR overrides the mirror otherwise read from this machine's apt.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUSYBOX=rcompose-test/busybox:latest
DEBIAN=rcompose-test/debian:bookworm
POSTGRES=rcompose-test/postgres:15
SUITE=bookworm
# Bump when the way an image is made changes: existing images are then rebuilt.
BUSYBOX_RECIPE=busybox-2
DEBIAN_RECIPE=debian-2
LABEL=org.rcompose.test-image.recipe

export DOCKER_BUILDKIT=0 LC_ALL=C
START=$SECONDS

log() { printf '[test-images] %s\n' "$*"; }
die() { printf '[test-images] error: %s\n' "$*" >&2; exit 1; }

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

# --- arguments ---------------------------------------------------------------
FORCE=0
WANT=()
for arg in "$@"; do
  case "$arg" in
    --force|-f) FORCE=1 ;;
    -h|--help) usage; exit 0 ;;
    -*) die "unknown option $arg (see --help)" ;;
    busybox|rcompose-test/busybox|"$BUSYBOX") WANT+=(busybox) ;;
    debian|rcompose-test/debian|"$DEBIAN") WANT+=(debian) ;;
    postgres|rcompose-test/postgres|"$POSTGRES") WANT+=(postgres) ;;
    *) die "unknown image $arg (known: $BUSYBOX $DEBIAN $POSTGRES)" ;;
  esac
done
[ ${#WANT[@]} -gt 0 ] || WANT=(busybox debian postgres)
# --force applies to the images asked for, not to prerequisites that exist.
FORCED=" "
[ "$FORCE" = 1 ] && FORCED=" ${WANT[*]} "

# --- helpers -----------------------------------------------------------------
label_of() { docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$1" 2>/dev/null || true; }

# up_to_date SHORT NAME RECIPE: the image exists with this recipe and isn't forced.
up_to_date() {
  case "$FORCED" in *" $1 "*) log "$2: --force, rebuilding"; return 1 ;; esac
  local have
  if ! docker image inspect "$2" >/dev/null 2>&1; then
    log "$2: missing, building"
    return 1
  fi
  have=$(label_of "$2")
  if [ "$have" != "$3" ]; then
    log "$2: outdated (recipe '${have:-none}', want '$3'), rebuilding"
    return 1
  fi
  log "$2: cached ($(docker image inspect -f '{{.Id}}' "$2" | cut -c8-19))"
}

need_root() {
  [ "$(id -u)" = 0 ] || die "building $1 needs root (apt-get, debootstrap, chroot); rerun with sudo"
}

APT_UPDATED=0
# need_pkg PKG...: apt-get install the packages that aren't installed yet.
need_pkg() {
  local p missing=()
  for p in "$@"; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q ' installed$' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  need_root "the images (to install ${missing[*]})"
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -q >"$CACHE/apt-host.log" 2>&1 \
      || die "apt-get update failed, see $CACHE/apt-host.log"
    APT_UPDATED=1
  fi
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$CACHE/apt-host.log" 2>&1 \
    || die "cannot install ${missing[*]}, see $CACHE/apt-host.log"
}

# The Debian mirror this machine's apt uses for $SUITE: deb822 *.sources
# stanzas first, then one-line sources.list entries.
find_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$SUITE" '
      function flush() {
        if (!found && types ~ /(^| )deb( |$)/ && tolower(enabled) != "no" && (" " suites " ") ~ (" " suite " ")) {
          n = split(uris, u, " ")
          for (i = 1; i <= n; i++) if (u[i] ~ /^(https?|file):/) { print u[i]; found = 1; break }
        }
        types = suites = uris = enabled = ""; key = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      /^[ \t]/ { if (key == "uris") uris = uris " " $0; else if (key == "suites") suites = suites " " $0; next }
      {
        key = tolower($0); sub(/:.*/, "", key)
        val = $0; sub(/^[^:]*:[ \t]*/, "", val)
        if (key == "types") types = val; else if (key == "uris") uris = val
        else if (key == "suites") suites = val; else if (key == "enabled") enabled = val
      }
      END { flush() }' "$f" | head -n1 | grep . && return 0
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" \
      | awk -v suite="$SUITE" '$1 == "deb" && $3 == suite && $2 ~ /^(https?|file):/ { print $2; exit }' \
      | grep . && return 0
  done
  return 0
}

# A chroot's leftover mounts (an interrupted debootstrap) must go before rm -rf.
remove_tree() {
  [ -e "$1" ] || return 0
  awk -v d="$1/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r \
    | while IFS= read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$1"
}

# --- busybox -----------------------------------------------------------------
build_busybox() {
  up_to_date busybox "$BUSYBOX" "$BUSYBOX_RECIPE" && return 0
  need_pkg busybox-static
  local bb root="$CACHE/busybox-rootfs" applet
  bb=$(dpkg -L busybox-static | grep -m1 -E '^/(usr/)?bin/busybox$') || die "busybox-static has no bin/busybox"
  remove_tree "$root"
  mkdir -p "$root/bin" "$root/etc" "$root/root" "$root/tmp" "$root/usr/bin" "$root/var"
  chmod 1777 "$root/tmp"
  chmod 700 "$root/root"
  cp "$bb" "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
  done
  ln -s /bin/env "$root/usr/bin/env" # for #!/usr/bin/env scripts
  cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
  cat >"$root/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
nogroup:x:65534:
EOF
  log "$BUSYBOX: importing busybox-static $(dpkg-query -W -f '${Version}' busybox-static) with $(find "$root/bin" -type l | wc -l) applets"
  tar -C "$root" --numeric-owner --owner=0 --group=0 -cf - . \
    | docker import -c 'CMD ["sh"]' -c 'ENV PATH=/bin:/sbin:/usr/bin' -c "LABEL $LABEL=$BUSYBOX_RECIPE" \
        -m "rcompose test image: $(dpkg-query -W -f '${Package} ${Version}' busybox-static)" - "$BUSYBOX" >/dev/null \
    || die "docker import of $BUSYBOX failed"
  remove_tree "$root"
  local out
  out=$(docker run --rm --network none "$BUSYBOX" sh -c \
        'echo ok; for a in nc wget httpd nslookup sleep id; do command -v $a >/dev/null || echo "missing $a"; done
         nc --help 2>&1 | grep -q Usage || echo "nc broken"; httpd --help 2>&1 | grep -q Usage || echo "httpd broken"
         wget --help 2>&1 | grep -q Usage || echo "wget broken"; touch /tmp/x || echo "tmp not writable"' 2>&1) || true
  if [ "$out" != ok ]; then
    docker rmi "$BUSYBOX" >/dev/null 2>&1 || true
    die "$BUSYBOX does not work: $out"
  fi
  log "$BUSYBOX: ok"
}

# --- debian ------------------------------------------------------------------
build_debian() {
  up_to_date debian "$DEBIAN" "$DEBIAN_RECIPE" && return 0
  need_root "$DEBIAN"
  need_pkg debootstrap debian-archive-keyring
  local mirror root="$CACHE/debian-rootfs"
  mirror=${DEBIAN_MIRROR:-$(find_mirror)}
  mirror=${mirror:-http://deb.debian.org/debian}
  mirror=${mirror%/}
  # debootstrap only knows http_proxy from the environment; use apt's, if any.
  if [ -z "${http_proxy:-}" ]; then
    local P=""
    eval "$(apt-config shell P Acquire::http::Proxy)"
    case "$P" in ""|DIRECT) ;; *) export http_proxy=$P; log "using apt's proxy $P" ;; esac
  fi
  remove_tree "$root"
  log "$DEBIAN: debootstrap --variant=minbase $SUITE from $mirror (a few minutes; log: $CACHE/debootstrap.log)"
  local t=$SECONDS
  debootstrap --variant=minbase "$SUITE" "$root" "$mirror" >"$CACHE/debootstrap.log" 2>&1 \
    || { tail -n 5 "$CACHE/debootstrap.log" >&2; die "debootstrap failed, see $CACHE/debootstrap.log"; }
  log "$DEBIAN: debootstrap done in $((SECONDS - t))s"
  # No daemons started by postinst scripts; DNS as on this machine.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  rm -f "$root/etc/resolv.conf"
  cp -L /etc/resolv.conf "$root/etc/resolv.conf"
  log "$DEBIAN: apt-get install postgresql-15 python3 python3-psycopg2 ca-certificates in the chroot (log: $CACHE/chroot.log)"
  t=$SECONDS
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
      DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true /bin/sh -euxc '
        apt-get update
        apt-get install -y --no-install-recommends postgresql-15 python3 python3-psycopg2 ca-certificates
        apt-get clean' >"$CACHE/chroot.log" 2>&1 \
    || { tail -n 5 "$CACHE/chroot.log" >&2; die "package install in the chroot failed, see $CACHE/chroot.log"; }
  log "$DEBIAN: packages installed in $((SECONDS - t))s"
  # Slim down; drop the cluster Debian's postinst created (the postgres image
  # makes its own in PGDATA); leave no host details behind.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/debconf/*-old \
    "$root/usr/share/doc" "$root/usr/share/man" "$root/usr/share/info" \
    "$root/var/lib/postgresql/15" "$root/etc/postgresql/15/main" "$root"/var/log/postgresql/* \
    "$root/usr/sbin/policy-rc.d" "$root"/tmp/* "$root"/var/tmp/* "$root"/root/.[!.]*
  mkdir -p "$root/var/lib/apt/lists/partial"
  : >"$root/etc/resolv.conf"
  [ -x "$root/usr/lib/postgresql/15/bin/postgres" ] || die "postgresql-15 is not in the rootfs"
  log "$DEBIAN: importing ($(du -sh --one-file-system "$root" | cut -f1))"
  tar -C "$root" --numeric-owner --one-file-system \
      --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' --exclude='./run/*' -cf - . \
    | docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        -c "LABEL $LABEL=$DEBIAN_RECIPE" -m "rcompose test image: debootstrap $SUITE from $mirror" - "$DEBIAN" >/dev/null \
    || die "docker import of $DEBIAN failed"
  remove_tree "$root"
  local out
  out=$(docker run --rm --network none "$DEBIAN" sh -c \
        'python3 -c "import psycopg2" && /usr/lib/postgresql/15/bin/postgres --version && id postgres >/dev/null && echo ok' 2>&1) || true
  case "$out" in
    *"postgres (PostgreSQL) 15."*ok) log "$DEBIAN: ok ($(echo "$out" | head -n1))" ;;
    *) docker rmi "$DEBIAN" >/dev/null 2>&1 || true; die "$DEBIAN does not work: $out" ;;
  esac
}

# --- postgres ----------------------------------------------------------------
build_postgres() {
  build debian
  local ctx="$REPO/images/postgres" recipe
  if [ ! -f "$ctx/Dockerfile" ] || [ ! -f "$ctx/docker-entrypoint.sh" ]; then
    die "$ctx/Dockerfile or docker-entrypoint.sh is missing"
  fi
  # The recipe is the build context plus the base image: either changing rebuilds.
  recipe="postgres-$( (cd "$ctx" && find . -type f -print0 | sort -z | xargs -0 sha256sum; docker image inspect -f '{{.Id}}' "$DEBIAN") \
    | sha256sum | cut -c1-16)"
  up_to_date postgres "$POSTGRES" "$recipe" && return 0
  log "$POSTGRES: docker build images/postgres (log: $CACHE/postgres-build.log)"
  docker build --label "$LABEL=$recipe" -t "$POSTGRES" "$ctx" >"$CACHE/postgres-build.log" 2>&1 \
    || { tail -n 15 "$CACHE/postgres-build.log" >&2; die "docker build of $POSTGRES failed, see $CACHE/postgres-build.log"; }
  smoke_postgres || { docker rmi "$POSTGRES" >/dev/null 2>&1 || true; die "$POSTGRES does not work (removed it)"; }
}

# Starts the new image once: it must initialise, get healthy and answer SQL.
smoke_postgres() {
  local c="rcompose-test-images-smoke-$$" i status out
  docker rm -fv "$c" >/dev/null 2>&1 || true
  docker run -d --name "$c" --network none -e POSTGRES_PASSWORD=smoke -e POSTGRES_USER=smoke -e POSTGRES_DB=smokedb \
    "$POSTGRES" >/dev/null || return 1
  for i in $(seq 1 60); do
    status=$(docker inspect -f '{{.State.Status}} {{.State.Health.Status}}' "$c" 2>/dev/null || echo gone)
    case "$status" in "running healthy") break ;; "running "*) sleep 1 ;; *) break ;; esac
  done
  out=$(docker exec "$c" psql -U smoke -d smokedb -tAc 'SELECT 40 + 2' 2>&1) || true
  if [ "$status" != "running healthy" ] || [ "$out" != 42 ]; then
    echo "[test-images] smoke test: state '$status', psql said '$out'; container log:" >&2
    docker logs --tail 30 "$c" >&2 2>&1 || true
    docker rm -fv "$c" >/dev/null 2>&1 || true
    return 1
  fi
  docker rm -fv "$c" >/dev/null
  log "$POSTGRES: ok (initialised, healthy, answered SQL in ${i}s)"
}

# --- main --------------------------------------------------------------------
command -v docker >/dev/null || die "docker is not installed"
docker info >/dev/null 2>&1 || die "no Docker engine answers (is dockerd running? DOCKER_HOST=${DOCKER_HOST:-unset})"

CACHE=${RCOMPOSE_IMAGES_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/rcompose-images}
mkdir -p "$CACHE" || die "cannot create $CACHE"
# One build at a time on this machine; a second run waits, then finds the cache.
exec 9>"$CACHE/lock"
if ! flock -n 9; then
  log "another test-images.sh is running; waiting for it"
  flock 9
fi

DONE=" "
build() { # build SHORT, once per run (postgres pulls in debian)
  case "$DONE" in *" $1 "*) return 0 ;; esac
  "build_$1"
  DONE="$DONE$1 "
}
for image in "${WANT[@]}"; do
  build "$image"
done
log "ready in $((SECONDS - START))s:"
for image in "${WANT[@]}"; do
  case "$image" in busybox) n=$BUSYBOX ;; debian) n=$DEBIAN ;; postgres) n=$POSTGRES ;; esac
  printf '[test-images]   %-32s %s\n' "$n" "$(docker image inspect -f '{{.Size}}' "$n" | awk '{ printf "%.1f MB", $1 / 1e6 }')"
done
