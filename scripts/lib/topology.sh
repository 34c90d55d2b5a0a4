# shellcheck shell=bash
# Network-namespace test clusters for sluice: one per run, named after the run id so
# parallel runs never collide, and removable without knowing what was built.
#
# Source this file; it sets no shell options and defines only topo_* functions (the
# work runs in subshells with `set -euo pipefail`, so callers keep their own options).
# The CLI is scripts/topology.sh.
#
# Namespaces (nothing is ever created in the root namespace: every veth is created
# inside a run namespace, its peer directly inside another one):
#   sl-<id>-node<k>   a node; host-network processes (the agent) run here
#   sl-<id>-be<i>     backend i, a "Pod" behind node k
#   sl-<id>-ext       the external client (--external)
#   sl-<id>-cl<i>     client Pod i behind node1 (--clients N), for Pod traffic that
#                     the socket hooks do not see (tc on Pod-facing devices)
#
# Address plan (only 198.18.0.0/15 and fd00::/8 are used):
#   backend i (1..250), device eth0 in sl-<id>-be<i>
#       198.18.<i>.2/24        fd00:18:<i>::2/64     default route via the node side
#   node side of backend i, device be<i> in its node
#       198.18.<i>.1/24        fd00:18:<i>::1/64
#   node k (1..2): the node IP, on lo, so it survives any one link
#       198.19.0.<k>/32        fd00:19::<k>/128
#   fabric between the nodes (--nodes 2), device "fabric" in each node
#       198.19.1.<k>/24        fd00:19:1::<k>/64     routes to the other node's IP and
#                                                    backends, with the node IP as src
#   external client (--external): device "ext" in node1 ↔ device eth0 in sl-<id>-ext
#       node1 198.19.2.1/24    fd00:19:2::1/64
#       ext   198.19.2.2/24    fd00:19:2::2/64       routes only to the node IPs and to
#                                                    the LoadBalancer range, via node1
#   client Pod i (1..16, --clients N), device eth0 in sl-<id>-cl<i>, behind node1
#       198.19.<16+i>.2/24     fd00:19:<16+i>::2/64  default route via the node side
#   node side of client i, device cl<i> in node1
#       198.19.<16+i>.1/24     fd00:19:<16+i>::1/64  (node2 routes these via the fabric)
#   reserved for Service frontends, never on any interface:
#       ClusterIPs              198.19.128.0/17 fd00:96::/64       routed nowhere
#       LoadBalancer/externalIPs 198.19.64.0/24  fd00:19:64::/64   routed ext → node1 only
# Nothing has a route out of the topology, so an untranslated VIP fails fast
# (ENETUNREACH on a node, an ICMP unreachable from the node elsewhere).
#
# Backend placement: --backends N puts N backends behind node1; --backends-per-node M
# puts M behind every node (be1..beM on node1, beM+1..be2M on node2).
#
# Per run, besides the namespaces:
#   <cgroup2 mount>/sluice-e2e-<id>     a cgroup v2 child for the run's clients
#   <run root>/<id>/bpffs               a private bpffs instance
#   <run root>/<id>/topology.env        what `up` built, as key=value lines
#   <run root>/<id>/logs/               logs of the run's processes (removed by down)
# <run root> is $SLUICE_E2E_RUN_ROOT or /run/sluice-e2e.

# Plain assignments rather than readonly, so sourcing this file twice is harmless.
TOPO_NETNS_PREFIX="sl-"
TOPO_MAX_BACKENDS=250
TOPO_MAX_NODES=2
TOPO_MAX_CLIENTS=16
TOPO_CGROUP_PREFIX="sluice-e2e-"

# Prints only; callers return their own status, so a caller's `set -e` cannot turn
# a usage error (2) into a plain failure (1) half-way through an `a || { ...; }`.
topo_error() {
  echo "topology: $*" >&2
}

# Run ids go into namespace names, paths and cgroup names: keep them tame.
topo_validate_id() {
  [[ ${1:-} =~ ^[0-9a-z]{1,12}$ ]] && return 0
  topo_error "run id must be 1-12 of [0-9a-z], got '${1:-}'"
  return 1
}

topo_netns() {  # ID ROLE → sl-ID-ROLE (ROLE: node1, be3, ext)
  echo "${TOPO_NETNS_PREFIX}$1-$2"
}

topo_run_dir() {
  echo "${SLUICE_E2E_RUN_ROOT:-/run/sluice-e2e}/$1"
}

topo_bpffs_path() {
  echo "$(topo_run_dir "$1")/bpffs"
}

# The first cgroup2 mount in /proc/mounts: /sys/fs/cgroup on unified hosts,
# /sys/fs/cgroup/unified on hybrid ones.
topo_cgroup2_mount() {
  awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts
}

topo_cgroup_path() {
  local mount
  mount=$(topo_cgroup2_mount)
  if [[ -z $mount ]]; then
    topo_error "no cgroup2 filesystem in /proc/mounts"
    return 1
  fi
  echo "$mount/${TOPO_CGROUP_PREFIX}$1"
}

# Every namespace of the run that exists now, one per line.
topo_live_netns() {
  local prefix
  prefix=$(topo_netns "$1" "")
  ip netns list 2>/dev/null | awk -v p="$prefix" 'index($1, p) == 1 { print $1 }'
}

# Runs a command in a namespace of the run, switching only the network namespace:
# `ip netns exec` also remounts /sys, which hides the cgroup2 mount the agent and the
# probe need.
topo_exec() {  # ID ROLE CMD...
  local ns
  ns=$(topo_netns "$1" "$2")
  shift 2
  nsenter --net="/run/netns/$ns" -- "$@"
}

# --- cgroup and bpffs ---------------------------------------------------------------

topo_cgroup_create() (
  set -euo pipefail
  topo_validate_id "$1"
  local dir
  dir=$(topo_cgroup_path "$1")
  mkdir -p "$dir"
  echo "$dir"
)

# Kills whatever is left in the run's cgroup (only the run's clients live there),
# then removes it and any child cgroup, deepest first.
topo_cgroup_remove() (
  set -uo pipefail
  topo_validate_id "$1" || exit 1
  local dir
  dir=$(topo_cgroup_path "$1") || exit 0
  [[ -d $dir ]] || exit 0
  [[ -e $dir/cgroup.kill ]] && echo 1 >"$dir/cgroup.kill" 2>/dev/null
  local tries
  for ((tries = 0; tries < 40; tries++)); do
    local sub
    # -depth lists children before parents; rmdir fails harmlessly while a child
    # still holds a dying process, and the next round retries.
    while IFS= read -r sub; do
      rmdir "$sub" 2>/dev/null
    done < <(find "$dir" -mindepth 0 -maxdepth 8 -depth -type d 2>/dev/null | head -n 1000)
    [[ -d $dir ]] || exit 0
    sleep 0.05
  done
  echo "topology: could not remove cgroup $dir (processes still in it?)" >&2
  exit 0  # down never fails; the message says what is left
)

topo_bpffs_is_mounted() {
  awk -v d="$1" '$2 == d && $3 == "bpf" { found = 1 } END { exit !found }' /proc/mounts
}

topo_bpffs_mount() (
  set -euo pipefail
  topo_validate_id "$1"
  local dir
  dir=$(topo_bpffs_path "$1")
  mkdir -p "$dir"
  topo_bpffs_is_mounted "$dir" || mount -t bpf bpf "$dir"
  echo "$dir"
)

topo_bpffs_umount() (
  set -uo pipefail
  topo_validate_id "$1" || exit 1
  local dir tries
  dir=$(topo_bpffs_path "$1")
  for ((tries = 0; tries < 10; tries++)); do
    topo_bpffs_is_mounted "$dir" || break
    umount "$dir" 2>/dev/null || umount -l "$dir" 2>/dev/null || sleep 0.05
  done
  [[ -d $dir ]] && rmdir "$dir" 2>/dev/null
  exit 0
)

# --- building blocks of `up` ----------------------------------------------------------

# A namespace with loopback up and settings that make the topology predictable: no
# DAD delay on IPv6, no reverse-path filter second-guessing translated flows. The
# defaults are set before any link exists so links created later inherit them.
_topo_add_netns() {  # NS FORWARDING(0|1)
  local ns=$1 fwd=$2
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip netns exec "$ns" sysctl -q -w \
    net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
    net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
    net.ipv4.ip_forward="$fwd" net.ipv6.conf.all.forwarding="$fwd" >/dev/null
}

# A veth pair between two run namespaces, created inside the first, its peer directly
# inside the second. GRO on both ends: frames sent with XDP_TX/XDP_REDIRECT over veth
# are only received by a peer running NAPI (see DESIGN.md, kernel facts).
_topo_add_veth() {  # NS_A DEV_A NS_B DEV_B
  local ns_a=$1 dev_a=$2 ns_b=$3 dev_b=$4
  ip -n "$ns_a" link add "$dev_a" type veth peer name "$dev_b" netns "$ns_b"
  ip -n "$ns_a" link set "$dev_a" up
  ip -n "$ns_b" link set "$dev_b" up
  if command -v ethtool >/dev/null; then
    ip netns exec "$ns_a" ethtool -K "$dev_a" gro on >/dev/null 2>&1 || true
    ip netns exec "$ns_b" ethtool -K "$dev_b" gro on >/dev/null 2>&1 || true
  fi
}

# Links that stand in for a physical wire (the fabric between nodes, the external
# client's link) carry complete checksums, as a wire does: veth would otherwise hand
# CHECKSUM_PARTIAL packets across, whose checksum field XDP (like a NIC's receive path)
# cannot tell from a wrong one. Transmit checksumming off makes the kernel finish them.
_topo_wire_checksums() {  # NS_A DEV_A NS_B DEV_B
  if command -v ethtool >/dev/null; then
    ip netns exec "$1" ethtool -K "$2" tx off >/dev/null 2>&1 || true
    ip netns exec "$3" ethtool -K "$4" tx off >/dev/null 2>&1 || true
  fi
}

_topo_addr() {  # NS DEV ADDR/LEN (v6 addresses get nodad)
  if [[ $3 == *:* ]]; then
    ip -n "$1" -6 addr add "$3" dev "$2" nodad
  else
    ip -n "$1" addr add "$3" dev "$2"
  fi
}

_topo_state() {  # KEY VALUE — appends to the state file being built
  printf '%s=%s\n' "$1" "$2" >>"$_TOPO_STATE_TMP"
}

_topo_build() {  # ID NODES EXTERNAL(0|1) CLIENTS PLACEMENT... — runs under set -e
  local id=$1 nodes=$2 external=$3 clients=$4
  shift 4
  local -a placement=("$@")  # placement[k-1] = backends behind node k
  local run_dir k i j cgroup bpffs
  run_dir=$(topo_run_dir "$id")
  mkdir -p "$run_dir/logs" "$run_dir/work"
  _TOPO_STATE_TMP="$run_dir/topology.env.tmp"
  : >"$_TOPO_STATE_TMP"

  _topo_state run_id "$id"
  _topo_state run_dir "$run_dir"
  _topo_state log_dir "$run_dir/logs"
  _topo_state work_dir "$run_dir/work"  # scratch for the run's files (manifests, configs)
  # Assigned first: a failing $(...) inside an argument would not stop set -e.
  cgroup=$(topo_cgroup_create "$id")
  bpffs=$(topo_bpffs_mount "$id")
  _topo_state cgroup "$cgroup"
  _topo_state bpffs "$bpffs"
  _topo_state nodes "$nodes"

  for ((k = 1; k <= nodes; k++)); do
    local node_ns
    node_ns=$(topo_netns "$id" "node$k")
    _topo_add_netns "$node_ns" 1
    _topo_addr "$node_ns" lo "198.19.0.$k/32"
    _topo_addr "$node_ns" lo "fd00:19::$k/128"
    _topo_state "node$k.netns" "$node_ns"
    _topo_state "node$k.ipv4" "198.19.0.$k"
    _topo_state "node$k.ipv6" "fd00:19::$k"
  done

  if ((nodes == 2)); then
    local ns1 ns2
    ns1=$(topo_netns "$id" node1)
    ns2=$(topo_netns "$id" node2)
    _topo_add_veth "$ns1" fabric "$ns2" fabric
    _topo_wire_checksums "$ns1" fabric "$ns2" fabric
    for k in 1 2; do
      local ns other
      ns=$(topo_netns "$id" "node$k")
      other=$((3 - k))
      _topo_addr "$ns" fabric "198.19.1.$k/24"
      _topo_addr "$ns" fabric "fd00:19:1::$k/64"
      ip -n "$ns" route add "198.19.0.$other/32" via "198.19.1.$other" src "198.19.0.$k"
      ip -n "$ns" -6 route add "fd00:19::$other/128" via "fd00:19:1::$other" src "fd00:19::$k"
      _topo_state "node$k.fabric_dev" fabric
      _topo_state "node$k.fabric_ipv4" "198.19.1.$k"
      _topo_state "node$k.fabric_ipv6" "fd00:19:1::$k"
    done
  fi

  local total=0
  for ((k = 1; k <= nodes; k++)); do
    total=$((total + placement[k - 1]))
  done
  _topo_state backends "$total"

  i=0
  for ((k = 1; k <= nodes; k++)); do
    local node_ns count
    node_ns=$(topo_netns "$id" "node$k")
    count=${placement[k - 1]}
    for ((j = 1; j <= count; j++)); do
      i=$((i + 1))
      local be_ns
      be_ns=$(topo_netns "$id" "be$i")
      _topo_add_netns "$be_ns" 0
      _topo_add_veth "$node_ns" "be$i" "$be_ns" eth0
      _topo_addr "$node_ns" "be$i" "198.18.$i.1/24"
      _topo_addr "$node_ns" "be$i" "fd00:18:$i::1/64"
      _topo_addr "$be_ns" eth0 "198.18.$i.2/24"
      _topo_addr "$be_ns" eth0 "fd00:18:$i::2/64"
      ip -n "$be_ns" route add default via "198.18.$i.1"
      ip -n "$be_ns" -6 route add default via "fd00:18:$i::1"
      if ((nodes == 2)); then  # the other node reaches this backend over the fabric
        local other_ns other=$((3 - k))
        other_ns=$(topo_netns "$id" "node$other")
        ip -n "$other_ns" route add "198.18.$i.0/24" via "198.19.1.$k" src "198.19.0.$other"
        ip -n "$other_ns" -6 route add "fd00:18:$i::/64" via "fd00:19:1::$k" src "fd00:19::$other"
      fi
      _topo_state "be$i.netns" "$be_ns"
      _topo_state "be$i.node" "$k"
      _topo_state "be$i.ipv4" "198.18.$i.2"
      _topo_state "be$i.ipv6" "fd00:18:$i::2"
      _topo_state "be$i.gateway_ipv4" "198.18.$i.1"
      _topo_state "be$i.gateway_ipv6" "fd00:18:$i::1"
      _topo_state "be$i.node_dev" "be$i"
    done
  done

  if ((external)); then
    local ext_ns node1_ns
    ext_ns=$(topo_netns "$id" ext)
    node1_ns=$(topo_netns "$id" node1)
    _topo_add_netns "$ext_ns" 0
    _topo_add_veth "$node1_ns" ext "$ext_ns" eth0
    _topo_wire_checksums "$node1_ns" ext "$ext_ns" eth0
    _topo_addr "$node1_ns" ext 198.19.2.1/24
    _topo_addr "$node1_ns" ext fd00:19:2::1/64
    _topo_addr "$ext_ns" eth0 198.19.2.2/24
    _topo_addr "$ext_ns" eth0 fd00:19:2::2/64
    local dst
    for dst in 198.19.0.0/24 198.19.64.0/24; do
      ip -n "$ext_ns" route add "$dst" via 198.19.2.1
    done
    for dst in fd00:19::/64 fd00:19:64::/64; do
      ip -n "$ext_ns" -6 route add "$dst" via fd00:19:2::1
    done
    if ((nodes == 2)); then  # node2 answers the client through node1
      local node2_ns
      node2_ns=$(topo_netns "$id" node2)
      ip -n "$node2_ns" route add 198.19.2.0/24 via 198.19.1.1 src 198.19.0.2
      ip -n "$node2_ns" -6 route add fd00:19:2::/64 via fd00:19:1::1 src fd00:19::2
    fi
    _topo_state external 1
    _topo_state ext.netns "$ext_ns"
    _topo_state ext.ipv4 198.19.2.2
    _topo_state ext.ipv6 fd00:19:2::2
    _topo_state ext.node_dev ext
    _topo_state ext.gateway_ipv4 198.19.2.1
    _topo_state ext.gateway_ipv6 fd00:19:2::1
  else
    _topo_state external 0
  fi

  _topo_state clients "$clients"
  local c
  for ((c = 1; c <= clients; c++)); do
    local cl_ns node1_ns net=$((16 + c))
    cl_ns=$(topo_netns "$id" "cl$c")
    node1_ns=$(topo_netns "$id" node1)
    _topo_add_netns "$cl_ns" 0
    _topo_add_veth "$node1_ns" "cl$c" "$cl_ns" eth0
    _topo_addr "$node1_ns" "cl$c" "198.19.$net.1/24"
    _topo_addr "$node1_ns" "cl$c" "fd00:19:$net::1/64"
    _topo_addr "$cl_ns" eth0 "198.19.$net.2/24"
    _topo_addr "$cl_ns" eth0 "fd00:19:$net::2/64"
    ip -n "$cl_ns" route add default via "198.19.$net.1"
    ip -n "$cl_ns" -6 route add default via "fd00:19:$net::1"
    if ((nodes == 2)); then  # backends on node2 answer the client over the fabric
      local node2_ns
      node2_ns=$(topo_netns "$id" node2)
      ip -n "$node2_ns" route add "198.19.$net.0/24" via 198.19.1.1 src 198.19.0.2
      ip -n "$node2_ns" -6 route add "fd00:19:$net::/64" via fd00:19:1::1 src fd00:19::2
    fi
    _topo_state "cl$c.netns" "$cl_ns"
    _topo_state "cl$c.ipv4" "198.19.$net.2"
    _topo_state "cl$c.ipv6" "fd00:19:$net::2"
    _topo_state "cl$c.gateway_ipv4" "198.19.$net.1"
    _topo_state "cl$c.gateway_ipv6" "fd00:19:$net::1"
    _topo_state "cl$c.node_dev" "cl$c"
  done

  mv "$_TOPO_STATE_TMP" "$run_dir/topology.env"
}

# --- up / down / list ---------------------------------------------------------------

# topo_up ID [--backends N] [--nodes 1|2] [--backends-per-node M] [--external]
#            [--clients N]
# Builds the run's topology and prints its description (as topo_list does). On any
# failure, or SIGINT/SIGTERM while building, it removes whatever it had built.
topo_up() {
  local id=${1:-}
  topo_validate_id "$id" || return 2
  shift
  local backends=3 nodes=1 per_node_count=0 external=0 clients=0
  while (($#)); do
    case $1 in
      --backends) backends=${2:-}; shift 2 || return 2 ;;
      --nodes) nodes=${2:-}; shift 2 || return 2 ;;
      --backends-per-node) per_node_count=${2:-}; shift 2 || return 2 ;;
      --external) external=1; shift ;;
      --clients) clients=${2:-}; shift 2 || return 2 ;;
      *) topo_error "unknown option '$1'"; return 2 ;;
    esac
  done
  [[ $backends =~ ^[0-9]{1,4}$ && $nodes =~ ^[0-9]{1,4}$ && $per_node_count =~ ^[0-9]{1,4}$ ]] ||
    { topo_error "--backends, --nodes and --backends-per-node take numbers"; return 2; }
  [[ $clients =~ ^[0-9]{1,4}$ ]] || { topo_error "--clients takes a number"; return 2; }
  # Base 10 even with leading zeros ("08" is not octal here).
  backends=$((10#$backends)) nodes=$((10#$nodes)) per_node_count=$((10#$per_node_count))
  clients=$((10#$clients))
  ((clients <= TOPO_MAX_CLIENTS)) ||
    { topo_error "--clients must be 0..$TOPO_MAX_CLIENTS"; return 2; }
  ((nodes >= 1 && nodes <= TOPO_MAX_NODES)) ||
    { topo_error "--nodes must be 1..$TOPO_MAX_NODES"; return 2; }
  local -a placement=()
  local k
  if ((per_node_count > 0)); then
    for ((k = 1; k <= nodes; k++)); do placement+=("$per_node_count"); done
    backends=$((per_node_count * nodes))
  else
    placement+=("$backends")
    for ((k = 2; k <= nodes; k++)); do placement+=(0); done
  fi
  ((backends >= 1 && backends <= TOPO_MAX_BACKENDS)) ||
    { topo_error "between 1 and $TOPO_MAX_BACKENDS backends, asked for $backends"; return 2; }
  [[ -z $(topo_live_netns "$id") ]] ||
    { topo_error "run $id already has namespaces; pick another id or run down first"; return 1; }
  [[ -n $(topo_cgroup2_mount) ]] || { topo_error "no cgroup2 filesystem mounted"; return 1; }

  # The build runs as a plain command: inside `if`, `!`, `&&` or `||` bash ignores
  # set -e even in a subshell that sets it, and a failed step would go unnoticed.
  # The caller's own errexit is lifted meanwhile so a failure reaches the cleanup.
  local status caller_errexit=0
  [[ $- == *e* ]] && caller_errexit=1
  set +e
  (
    set -euo pipefail
    trap 'exit 130' INT TERM
    _topo_build "$id" "$nodes" "$external" "$clients" "${placement[@]}"
  )
  status=$?
  ((caller_errexit)) && set -e
  if ((status != 0)); then
    topo_error "building run $id failed; removing what was built"
    topo_down "$id"
    return 1
  fi
  topo_list "$id"
}

# topo_down ID — removes every namespace, the cgroup, the bpffs mount and the run dir
# of the run. Idempotent; succeeds whatever is missing.
topo_down() {
  local id=${1:-}
  topo_validate_id "$id" || return 2
  local ns
  # Namespaces go first: processes still inside (servers, agents) are the run's own.
  while IFS= read -r ns; do
    [[ -n $ns ]] || continue
    _topo_kill_netns_pids "$ns"
    ip netns del "$ns" 2>/dev/null || true
  done < <(topo_live_netns "$id" | head -n 1000)
  topo_cgroup_remove "$id"
  topo_bpffs_umount "$id"
  local run_dir
  run_dir=$(topo_run_dir "$id")
  if [[ -d $run_dir ]] && ! topo_bpffs_is_mounted "$run_dir/bpffs"; then
    rm -rf -- "$run_dir/logs" "$run_dir/work"
    rm -f -- "$run_dir/topology.env" "$run_dir/topology.env.tmp"
    rmdir -- "$run_dir" 2>/dev/null || true
  fi
  return 0
}

_topo_kill_netns_pids() {  # NS — TERM, up to 1 s to exit, then KILL
  local pids tries
  pids=$(ip netns pids "$1" 2>/dev/null | head -n 1000 | tr '\n' ' ')
  [[ -n ${pids// /} ]] || return 0
  # shellcheck disable=SC2086  # word splitting of the pid list is intended
  kill -TERM $pids 2>/dev/null || true
  for ((tries = 0; tries < 20; tries++)); do
    [[ -n $(ip netns pids "$1" 2>/dev/null) ]] || return 0
    sleep 0.05
  done
  pids=$(ip netns pids "$1" 2>/dev/null | head -n 1000 | tr '\n' ' ')
  # shellcheck disable=SC2086
  [[ -z ${pids// /} ]] || kill -KILL $pids 2>/dev/null || true
}

# topo_list ID — what `up` built (key=value lines, readable by people and by the C++
# harness), then which of the run's namespaces exist right now.
topo_list() {
  local id=${1:-}
  topo_validate_id "$id" || return 2
  local state
  state="$(topo_run_dir "$id")/topology.env"
  if [[ -f $state ]]; then
    cat "$state"
  else
    echo "# no state for run $id (not up, or torn down)"
  fi
  echo "live_netns=$(topo_live_netns "$id" | tr '\n' ' ' | sed 's/ $//')"
}
