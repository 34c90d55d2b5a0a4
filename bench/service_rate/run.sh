#!/usr/bin/env bash
# B2 + B3 (BENCH.md): TCP connection rate and connect+first-answer latency through a
# ClusterIP vs the number of Services (the measured one last in iptables' chain), for
# direct (no load balancer), kube-proxy's iptables and nftables rulesets, and sluice.
# B8: CPU per connection at 5k connections/s with 10k Services loaded.
#
# Builds sluice-service-rate (and sluice-loadgen, sluice-loadgen-echo, sluice-agent) in
# ${BUILD_DIR:-build}, runs it as root, prints the tables and writes
# bench/results/B2.{csv,json,png}, B3.{csv,json,png} and B8.{csv,json}.
# Every mode gets a topology of its own (scripts/topology.sh), removed on every exit.
#
#   bench/service_rate/run.sh                 # quick: B2/B3 at N = 1, 1k, 10k, then B8 (~5 min)
#   bench/service_rate/run.sh --full          # N = 1 ... 100k, 5 rounds, longer windows (~1 h)
#   bench/service_rate/run.sh rate --services 1,30k --modes direct,iptables,sluice --runs 5
#   bench/service_rate/run.sh cpu --runs 5    # B8 only
#   bench/service_rate/run.sh --out-dir /tmp/b2   # anywhere else than bench/results
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$top/build}
command="${BUILD_DIR:+BUILD_DIR=$BUILD_DIR }bench/service_rate/run.sh${*:+ $*}"

if [[ $(id -u) != 0 ]]; then
  echo "bench/service_rate: needs root (network namespaces, cgroups, BPF); skipped" >&2
  exit 0
fi

cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} >/dev/null
ninja -C "$build" sluice-service-rate >/dev/null
driver=$build/bench/service_rate/sluice-service-rate
tree=$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)

# `rate ...` or `cpu ...` run one driver; anything else (or nothing) runs both with the
# same options (--quick is the default, --full the long version).
case ${1:-} in
  rate | cpu) exec "$driver" "$@" --command "$command" --tree "$tree" ;;
esac
"$driver" rate "$@" --command "$command" --tree "$tree"
"$driver" cpu "$@" --command "$command" --tree "$tree"
