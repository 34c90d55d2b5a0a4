#!/usr/bin/env bash
# B6 (BENCH.md): Maglev table build time at M = 65537 for N = 10, 100, 1000 and at each
# table size sluice chooses; max/avg slots per backend; share of slots moved when 1,
# 1% and 10% of the backends go (and one comes) against the minimum k/N.
#
# Builds sluice_maglev_bench with the main CMake build (${BUILD_DIR:-build}), runs it,
# prints the table and writes bench/results/B6.csv and B6.json (machine, command and
# tree recorded in both). Not a test: nothing fails because the machine was slow.
#
#   bench/maglev/run.sh                        # 15 repetitions of ≥ 0.1 s per shape
#   bench/maglev/run.sh --repetitions 31 --min-time 0.2
#   bench/maglev/run.sh --out-dir /tmp/b6      # anywhere else than bench/results
#   bench/maglev/run.sh --benchmark_filter=M:65537   # Google Benchmark flags pass through
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$top/build}
command="${BUILD_DIR:+BUILD_DIR=$BUILD_DIR }${BUILD_TYPE:+BUILD_TYPE=$BUILD_TYPE }bench/maglev/run.sh${*:+ $*}"

out_dir=$top/bench/results
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --out-dir) out_dir=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done

cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} \
  -DSLUICE_BUILD_BENCH=ON >/dev/null
ninja -C "$build" sluice_maglev_bench >/dev/null

tree=$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)
exec "$build/bench/maglev/sluice_maglev_bench" --out-dir "$out_dir" \
  --command "$command" --tree "$tree" ${args[@]+"${args[@]}"} --benchmark_color=false
