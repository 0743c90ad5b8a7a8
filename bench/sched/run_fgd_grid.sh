#!/usr/bin/env bash
# run_fgd_grid.sh — the full published FGD grid (17 openb workloads × 6 published policies × seeds
# 42–51) plus Ava's default policy, replayed by ava-sim and compared cell by cell with the
# published rows. Prints the per-workload table and writes every curve to a CSV.
#
#   bench/sched/run_fgd_grid.sh [BUILD_DIR] [OUT_CSV]
#
# BUILD_DIR defaults to build-sched-release (configured and built here with -DCMAKE_BUILD_TYPE=Release
# when missing); OUT_CSV to fgd-grid.csv in the current directory. Threads: $AVA_SIM_THREADS or nproc.
# Exit status 3 means a deterministic policy differed from its published row somewhere.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${1:-$ROOT/build-sched-release}
OUT=${2:-fgd-grid.csv}
THREADS=${AVA_SIM_THREADS:-$(nproc)}
if [[ ! -x "$BUILD/bin/ava-sim" ]]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
  cmake --build "$BUILD" --target ava-sim -j"$THREADS"
fi
export AVA_SOURCE_DIR=${AVA_SOURCE_DIR:-$ROOT}
echo "ava-sim openb grid: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $THREADS threads" >&2
time "$BUILD/bin/ava-sim" --workloads published --seeds 42-51 \
  --policies random,dot-product,gpu-clustering,gpu-packing,best-fit,fgd,ava \
  --validate --threads "$THREADS" --quiet --points 90,100,110,130 --csv "$OUT"
