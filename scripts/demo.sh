#!/usr/bin/env bash
# The sluice demo, on one machine as root: builds sluice, makes a small cluster of
# network namespaces (a node, three backend Pods running an echo server, a client
# outside the node), starts sluice-agent on a directory of Service/EndpointSlice
# manifests, sends real TCP and UDP requests to a ClusterIP and a NodePort from a
# client on the node (socket hooks) and to the NodePort from outside (XDP), shows which
# backends answered and what sluicectl reads from the maps, removes an endpoint, and
# cleans everything up (also on Ctrl-C or an error).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}

"$top/scripts/setup.sh"
"$top/scripts/build.sh" >/dev/null
echo "demo: built sluice-agent, sluicectl and the traffic tools in $build"

# shellcheck source=lib/topology.sh
source "$top/scripts/lib/topology.sh"
id="demo$(printf '%04x' $((RANDOM % 65536)))"
agent_pid=
cleanup() {
  [[ -n $agent_pid ]] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
  topo_down "$id" >/dev/null 2>&1 || true
  echo "demo: cleaned up (namespaces, cgroup, bpffs of run $id)"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

topo_up "$id" --backends 3 --external >/dev/null
eval "$(topo_list "$id" | sed -n 's/^\(work_dir\|cgroup\|bpffs\|log_dir\)=\(.*\)$/\1="\2"/p')"
node_ns="sl-$id-node1"
node_ip=198.19.0.1
agent="$build/userspace/agent/sluice-agent"
ctl="$build/userspace/cli/sluicectl"
echo_bin="$build/tests/e2e/sluice-test-echo"
probe_bin="$build/tests/e2e/sluice-probe"
sluice_bpffs="$bpffs/sluice"
manifests="$work_dir/manifests"
mkdir -p "$manifests"

in_ns() { local ns=$1; shift; nsenter --net="/run/netns/$ns" "$@"; }

echo "demo: three backend Pods, each an echo server on TCP and UDP port 8080"
for i in 1 2 3; do
  in_ns "sl-$id-be$i" "$echo_bin" --name "be$i" --listen "198.18.$i.2:8080" \
    --listen "[fd00:18:$i::2]:8080" --ready-file "$log_dir/be$i.ready" >"$log_dir/be$i.log" 2>&1 &
done
for i in 1 2 3; do
  for _ in $(seq 50); do [[ -e $log_dir/be$i.ready ]] && break; sleep 0.1; done
done

endpoints() {  # family addresses...
  local family=$1; shift
  for a in "$@"; do printf -- '- addresses: ["%s"]\n  conditions: {ready: true}\n  nodeName: node1\n' "$a"; done
}
write_manifests() {  # backend numbers...
  local v4=() v6=()
  for i in "$@"; do v4+=("198.18.$i.2"); v6+=("fd00:18:$i::2"); done
  cat >"$manifests/web.yaml.tmp" <<YAML
apiVersion: v1
kind: Service
metadata: {name: web, namespace: demo}
spec:
  type: NodePort
  clusterIP: 198.19.128.10
  clusterIPs: [198.19.128.10, fd00:96::10]
  ipFamilies: [IPv4, IPv6]
  ports:
  - {name: http, protocol: TCP, port: 80, targetPort: http, nodePort: 30080}
  - {name: dns, protocol: UDP, port: 53, targetPort: 8080}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-v4, namespace: demo, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, protocol: TCP, port: 8080}, {name: dns, protocol: UDP, port: 8080}]
endpoints:
$(endpoints IPv4 "${v4[@]}")
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-v6, namespace: demo, labels: {kubernetes.io/service-name: web}}
addressType: IPv6
ports: [{name: http, protocol: TCP, port: 8080}, {name: dns, protocol: UDP, port: 8080}]
endpoints:
$(endpoints IPv6 "${v6[@]}")
YAML
  mv "$manifests/web.yaml.tmp" "$manifests/web.yaml"
}
write_manifests 1 2 3
echo "demo: manifests in $manifests:"
sed 's/^/    /' "$manifests/web.yaml" | head -14

echo "demo: starting sluice-agent (cgroup $cgroup, bpffs $sluice_bpffs)"
in_ns "$node_ns" "$agent" --manifests "$manifests" --cgroup-path "$cgroup" --bpffs "$sluice_bpffs" \
  --node-name node1 --node-ip "$node_ip" --node-ip fd00:19::1 --devices ext --xdp-mode native \
  >"$log_dir/agent.log" 2>&1 &
agent_pid=$!
for _ in $(seq 100); do grep -q "initial sync done" "$log_dir/agent.log" && break; sleep 0.1; done
grep -q "initial sync done" "$log_dir/agent.log" || { cat "$log_dir/agent.log"; exit 1; }
sed 's/^/    agent: /' "$log_dir/agent.log"

probe() {  # label target proto [udp-mode] [namespace]
  local out ns=${5:-$node_ns} cg=()
  # Processes on the node run in the cgroup the socket hooks watch; the client outside
  # the node does not (its traffic meets XDP on the node's device instead).
  [[ $ns == "$node_ns" ]] && cg=(--cgroup "$cgroup")
  out=$(in_ns "$ns" "$probe_bin" "${cg[@]}" --target "$2" --proto "$3" \
    --udp-mode "${4:-connected}" --count 30)
  printf '  %-32s %s\n' "$1" "$(jq -r '"\(.successes)/\(.attempts) answered, backends: " +
    (.backends | to_entries | map("\(.key)=\(.value)") | join(" ")) +
    ", the client saw its peer as " + (.peers_seen | keys | join(" "))' <<<"$out")"
}

echo
echo "demo: 30 requests each from a client on the node (in the cgroup sluice's socket hooks are attached to)"
probe "ClusterIP TCP/IPv4" 198.19.128.10:80 tcp
probe "ClusterIP TCP/IPv6" "[fd00:96::10]:80" tcp
probe "ClusterIP UDP/IPv4" 198.19.128.10:53 udp unconnected
probe "NodePort TCP (node IP:30080)" "$node_ip:30080" tcp

echo
echo "demo: 30 requests from a client outside the node, through XDP on the node's 'ext' device"
probe "NodePort TCP from outside" "$node_ip:30080" tcp connected "sl-$id-ext"
probe "NodePort TCP/IPv6 from outside" "[fd00:19::1]:30080" tcp connected "sl-$id-ext"

echo
echo "demo: sluicectl service list"
"$ctl" --bpffs "$sluice_bpffs" service list | sed 's/^/    /'
echo
echo "demo: sluicectl backend list"
"$ctl" --bpffs "$sluice_bpffs" backend list | sed 's/^/    /'

echo
echo "demo: removing be3 from the EndpointSlices"
write_manifests 1 2
sleep 0.3
probe "ClusterIP TCP/IPv4" 198.19.128.10:80 tcp

echo
echo "demo: stopping the agent: the datapath stays pinned and keeps serving"
kill "$agent_pid"; wait "$agent_pid" 2>/dev/null || true; agent_pid=
probe "ClusterIP TCP/IPv4 (agent down)" 198.19.128.10:80 tcp
echo
echo "demo: sluicectl ct list (flows the packet path tracks)"
"$ctl" --bpffs "$sluice_bpffs" ct list | head -8 | sed 's/^/    /'
echo
echo "demo: sluicectl stats"
"$ctl" --bpffs "$sluice_bpffs" stats | sed 's/^/    /'
