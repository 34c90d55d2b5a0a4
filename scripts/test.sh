#!/usr/bin/env bash
# Sets up, builds and runs every test: unit tests, BPF tests and, as root, the
# end-to-end tests in network namespaces. This is what CI runs.
#   scripts/test.sh            everything
#   scripts/test.sh -L unit    only what matches a ctest label (unit, bpf, e2e)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}

"$top/scripts/setup.sh"
"$top/scripts/build.sh"
# Tests are run one at a time: end-to-end tests share the machine's CPUs and time
# their traffic, and each builds its own namespaces anyway.
ctest --test-dir "$build" --output-on-failure --timeout 600 "$@"
