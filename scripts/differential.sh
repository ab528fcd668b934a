#!/usr/bin/env bash
# Differential run against docker compose v2: N seeded random projects
# through `docker compose config --format json` and `rcompose config
# --format json`, compared by exit status and JSON value (see
# tests/it/differential/mod.rs). Prints one report per class of difference,
# each with the seed and case that replay it.
#
# Usage: scripts/differential.sh [--cases N] [--seed S] [--case I] [--jobs J] [--keep]
#   --cases N   cases to run (default 1000)
#   --seed S    run seed (default: the current time)
#   --case I    replay one case of seed S
#   --jobs J    parallel cases (default 2)
#   --keep      keep the project folder of each difference
set -euo pipefail
cd "$(dirname "$0")/.."
cases=1000 seed=$(date +%s) jobs=2
unset RCOMPOSE_DIFF_CASE RCOMPOSE_DIFF_KEEP
while [ $# -gt 0 ]; do
  case "$1" in
    --cases) cases=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --case) export RCOMPOSE_DIFF_CASE=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --keep) export RCOMPOSE_DIFF_KEEP=1; shift ;;
    *) echo "usage: $0 [--cases N] [--seed S] [--case I] [--jobs J] [--keep]" >&2; exit 2 ;;
  esac
done
echo "[differential] seed $seed, $cases cases, $jobs jobs"
RCOMPOSE_DIFF_SEED=$seed RCOMPOSE_DIFF_CASES=$cases RCOMPOSE_DIFF_JOBS=$jobs \
  cargo test --locked --test it differential::many -- --ignored --nocapture
