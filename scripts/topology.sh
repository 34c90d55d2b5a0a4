#!/usr/bin/env bash
# Builds, removes and describes the network-namespace cluster of one test run.
# The work is done by scripts/lib/topology.sh (address plan at its top).
#
#   topology.sh up   RUN_ID [--backends N] [--nodes 1|2] [--backends-per-node M] [--external]
#                           [--clients N]
#   topology.sh down RUN_ID     removes everything of the run; idempotent, never fails
#   topology.sh list RUN_ID     key=value description of the run, then live namespaces
#   topology.sh exec RUN_ID ROLE CMD...   run CMD in sl-RUN_ID-ROLE (network ns only)
#
# `up` prints the same description as `list` and leaves the topology up: the caller
# owns it from then on and must run `down` on every exit path.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/topology.sh
source "$here/lib/topology.sh"

usage() {
  sed -n '5,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

(($# >= 2)) || usage
command=$1
id=$2
shift 2
[[ $(id -u) == 0 ]] || { echo "topology: needs root (network namespaces, cgroups, bpffs)" >&2; exit 1; }

case $command in
  up)
    # Interrupted while building: take down what exists, then leave.
    trap 'topo_down "$id"; exit 130' INT TERM
    topo_up "$id" "$@"
    ;;
  down) topo_down "$id" ;;
  list) topo_list "$id" ;;
  exec)
    (($# >= 2)) || usage
    topo_exec "$id" "$@"
    ;;
  *) usage ;;
esac
