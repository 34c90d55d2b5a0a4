#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (AddressSanitizer and
# UndefinedBehaviorSanitizer) in build-fuzz/, and runs each for a while, starting from
# the seed corpora in tests/fuzz/corpus/<target>/. Fails on the first crash, leak,
# sanitizer report or broken invariant; the input that caused it is kept in
# build-fuzz/artifacts/ and printed, to be added to the seed corpus once fixed.
#
#   scripts/fuzz.sh                           each target for 20 s (what CI runs, with 15)
#   scripts/fuzz.sh --seconds 3600            a long run, an hour per target
#   scripts/fuzz.sh --seconds 600 fuzz_watch_stream
#   scripts/fuzz.sh --jobs 4 --seconds 3600   four fuzzing processes per target
#
# New inputs found along the way go to build-fuzz/corpus/<target>/, not to the seeds:
# copy the interesting ones by hand (libFuzzer's -merge=1 keeps the smallest set).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$top/build-fuzz}
seconds=20
jobs=1
targets=()
all_targets=(fuzz_json_decode fuzz_proto_decode fuzz_watch_stream)

while (($#)); do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
((${#targets[@]})) || targets=("${all_targets[@]}")
for target in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $target "* ]] || { echo "fuzz.sh: no target $target (${all_targets[*]})" >&2; exit 2; }
done

# Warnings are the main build's business (-Werror with g++); here clang's own
# opinions about other files must not stop a fuzz run.
if [[ ! -f $build/build.ninja ]]; then
  mkdir -p "$build"
  CC=clang CXX=clang++ cmake -S "$top" -B "$build" -G Ninja -DSLUICE_FUZZ=ON -DSLUICE_WERROR=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build/configure.log" 2>&1 ||
    { cat "$build/configure.log" >&2; exit 1; }
fi
ninja -C "$build" "${targets[@]}" >"$build/ninja.log" 2>&1 || { tail -50 "$build/ninja.log" >&2; exit 1; }

status=0
cd "$build"  # with --jobs, libFuzzer writes its fuzz-<n>.log files here
for target in "${targets[@]}"; do
  corpus=$build/corpus/$target
  artifacts=$build/artifacts
  mkdir -p "$corpus" "$artifacts"
  log=$build/$target.log
  # -timeout: one input taking a second is a hang; -rss_limit_mb: 2 GB is a leak or a
  # decompression bomb. New inputs go to $corpus; the seeds are only read.
  args=(-max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$artifacts/$target-" "$corpus" "$top/tests/fuzz/corpus/$target")
  if ((jobs > 1)); then
    args=(-jobs="$jobs" -workers="$jobs" "${args[@]}")
  fi
  if "$build/$target" "${args[@]}" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{s+=$2} END {print s+0}')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
    echo "fuzz.sh: $target: ${runs} inputs in ${seconds} s, coverage ${cov:-?} edges, no crash"
  else
    status=1
    echo "fuzz.sh: $target FAILED (log: $log)" >&2
    grep -E 'ERROR|SUMMARY|invariant|chunking|uncaught|Test unit written' "$log" | head -20 >&2 || tail -40 "$log" >&2
  fi
done
exit $status
