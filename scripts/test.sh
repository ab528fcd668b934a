#!/usr/bin/env bash
# The test command: prepares what the tests need (test images when a Docker
# engine answers), then runs every test. Set RCOMPOSE_REQUIRE_ENGINE=1 to make
# the end-to-end tests mandatory instead of skipping when no engine answers.
set -euo pipefail
cd "$(dirname "$0")/.."

if docker info >/dev/null 2>&1; then
  bash scripts/test-images.sh
  bash scripts/peers.sh || echo "warning: docker compose v2 could not be installed; interop tests will skip" >&2
elif [ "${RCOMPOSE_REQUIRE_ENGINE:-0}" = "1" ]; then
  echo "error: no Docker engine answers, and RCOMPOSE_REQUIRE_ENGINE=1" >&2
  exit 1
fi

cargo test --locked "$@"

# The Rust SDK example (examples/sdk.rs) against the engine: up, wait, port,
# exec, down -v, with no subprocess.
if [ "$#" -eq 0 ] && docker info >/dev/null 2>&1; then
  cargo run --locked --quiet --example sdk
fi
