#!/usr/bin/env bash
# One command, offline: builds the local base images and rcompose, then starts
# the todo-app example (a Python web app and PostgreSQL) on http://localhost:${TODO_PORT:-8080}.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/test-images.sh rcompose-test/debian:bookworm rcompose-test/postgres:15
cargo build --release --quiet
./target/release/rcompose -f examples/todo-app/compose.yaml up -d --build
port="${TODO_PORT:-8080}"
cat <<EOT

The todo app runs on http://localhost:$port
  add a todo:   curl -s -X POST -H 'Content-Type: application/json' -d '{"title":"buy milk"}' localhost:$port/todos
  list them:    curl -s localhost:$port/todos
  stop it:      ./target/release/rcompose -f examples/todo-app/compose.yaml down      (todos are kept)
  start again:  ./target/release/rcompose -f examples/todo-app/compose.yaml up -d     (todos are still there)
  wipe them:    ./target/release/rcompose -f examples/todo-app/compose.yaml down -v
EOT
