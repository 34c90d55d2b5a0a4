// The baseline sluice is measured against: the rules kube-proxy itself writes for a set
// of Services and EndpointSlices, in its iptables mode and in its nftables mode, as text
// that iptables-restore / nft -f load unchanged. Built from the same model objects sluice
// is given (userspace/model/objects.h, decoded with userspace/k8s/manifest_decoder.h),
// with the same endpoint semantics (model::ComputeFrontends decides which endpoints are
// usable), so every mode serves the same backends.
//
// API (library sluice_kubeproxy_rules; CLI sluice-kube-proxy-rules):
//
//   RulesetOptions options{.node_name = "node1",
//                          .node_ips = {*IpAddress::Parse("198.19.0.1")},
//                          .cluster_cidrs = {*IpPrefix::Parse("198.18.0.0/16")}};
//   std::string ipt = IptablesRestoreInput(services, slices, options);          // IPv4
//   std::string ip6t = IptablesRestoreInput(services, slices, options, IpFamily::kV6);
//   std::string nft = NftablesInput(services, slices, options);                // ip table
//   // load: `iptables-restore --noflush --counters` (legacy or nft flavour) or `nft -f`,
//   // inside a network namespace (ruleset_loader.h does both, timed)
//   // remove: IptablesCleanupInput(<iptables-save output>) for iptables-restore
//   //         --noflush, NftablesCleanupInput(family) for nft -f
//
// What is reproduced, and from where (kubernetes/kubernetes, pkg/proxy/iptables/proxier.go
// and pkg/proxy/nftables/proxier.go as of v1.33-v1.36; facts looked up, code our own):
//
// iptables mode (one family per call; ip6tables-restore for IPv6):
//   *filter: KUBE-SERVICES, KUBE-EXTERNAL-SERVICES, KUBE-FORWARD, KUBE-NODEPORTS,
//     KUBE-PROXY-FIREWALL (+ KUBE-FIREWALL, kubelet's localhost rule, when localhost
//     NodePorts are on, IPv4); REJECT/DROP rules for Services without (local) endpoints;
//     the LoadBalancerSourceRanges DROP in KUBE-PROXY-FIREWALL; KUBE-FORWARD's INVALID
//     drop and mark/conntrack ACCEPTs.
//   *nat: KUBE-SERVICES (one jump per ClusterIP:port, external IP and LoadBalancer IP,
//     in input order, then the KUBE-NODEPORTS jump last with `-m addrtype --dst-type
//     LOCAL`), KUBE-NODEPORTS, KUBE-SVC-* (masquerade rule for off-cluster sources, then
//     `-m statistic --mode random --probability` 1/n, 1/(n-1), ... as "%0.10f", the last
//     endpoint unconditional), KUBE-SVL-* for Local policies, KUBE-EXT-* (masquerade for
//     Cluster policy; pod/LOCAL short-circuits for Local), KUBE-FW-* for
//     loadBalancerSourceRanges, KUBE-SEP-* (hairpin KUBE-MARK-MASQ, DNAT
//     --to-destination), KUBE-MARK-MASQ and KUBE-POSTROUTING (mark 0x4000, MASQUERADE
//     --random-fully). Session affinity with `-m recent`.
//   Chain names: KUBE-{SVC,SVL,EXT,FW}- + base32(sha256("ns/name:port" + "tcp"))[:16],
//     KUBE-SEP- + base32(sha256("ns/name:port" + "tcp" + "ip:port"))[:16]; the port part
//     is the ServicePort *name* (":p80"; nothing when unnamed), the protocol lower case.
//   Comments as kube-proxy writes them ("ns/name:port cluster IP", "ns/name:port ->
//     ip:port", ...); above 1000 endpoints kube-proxy's "large cluster mode" drops the
//     per-endpoint comments, and so does this (RulesetOptions::large_cluster_mode).
//   Endpoints of a service port are ordered as kube-proxy orders them: by "ip:port"
//     string. Services are written in input order (kube-proxy walks a Go map: random),
//     so a benchmark can put its target Service last.
//   The jumps from the built-in chains (PREROUTING/OUTPUT/POSTROUTING, INPUT/FORWARD/
//     OUTPUT), which kube-proxy adds with `iptables -I` before its restore, are part of
//     the restore input here (include_builtin_jumps), in the order kube-proxy's prepends
//     leave them. Not reproduced: the KUBE-PROXY-CANARY chains, nfacct matches.
//
// nftables mode (table `ip kube-proxy` or `ip6 kube-proxy`; one family per call):
//   base chains filter-prerouting-pre-dnat (-110), filter-output-pre-dnat (-110),
//   filter-input/forward/output (0), nat-prerouting/output (-100), nat-postrouting (100);
//   jump chains services, masquerading, mark-for-masquerade, firewall-check,
//   service-endpoints-check, nodeport-endpoints-check, cluster-ips-check, reject-chain;
//   sets cluster-ips, nodeport-ips; verdict maps service-ips, service-nodeports,
//   no-endpoint-services, no-endpoint-nodeports, firewall-ips; per service port
//   `service-<H>-ns/name/tcp/port`, `local-...`, `external-...`, `firewall-...` chains
//   and per endpoint `endpoint-<H>-ns/name/tcp/port__ip/port` chains (`dnat to`), with
//   `numgen random mod N vmap { 0 : goto endpoint-..., ... }`; H is
//   base32(sha256(name))[:8] of the rest of the name. NodePorts are accepted on
//   nodeport-ips (kube-proxy's nftables default, `--nodeport-addresses primary`).
//
// Generation cost (synthetic_set.h, 10 endpoints per Service, one core): 1k Services
// 0.05 s, 10k 0.5 s, 100k 5 s (iptables: 3.2M rules, 330 MB of text; nftables: 470 MB).
//
// Everything here is pure string generation: nothing touches the kernel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/ip_address.h"
#include "model/objects.h"

namespace sluice::kubeproxy {

// kube-proxy's flags that change the rules, with kube-proxy's defaults.
struct RulesetOptions {
  // --hostname-override: endpoints whose nodeName equals it are local (Local policies).
  std::string node_name{};
  // The node's addresses: NodePorts are accepted on these in nftables mode (the
  // nodeport-ips set) and, when nodeport_addresses_all is false, in iptables mode;
  // loadBalancerSourceRanges containing one of them also admit the LB IPs themselves.
  std::vector<IpAddress> node_ips{};
  // --cluster-cidr (detect-local-mode ClusterCIDR), the first prefix of the family is
  // used: traffic from outside it to a ClusterIP is masqueraded, traffic from inside it
  // to an external address of a Local-policy Service is short-circuited. Empty: no local
  // detector (kube-proxy then writes neither rule).
  std::vector<IpPrefix> cluster_cidrs{};
  // ServiceCIDRs (nftables: cluster-ips-check drops traffic to unallocated ClusterIPs
  // in them). Empty: no such rule.
  std::vector<IpPrefix> service_cidrs{};
  bool masquerade_all = false;  // --masquerade-all
  int masquerade_bit = 14;      // --iptables-masquerade-bit: mark 0x00004000
  // iptables: --iptables-localhost-nodeports (IPv4 only; the rule lets NodePorts answer
  // on 127.0.0.0/8 and kubelet's KUBE-FIREWALL guards it).
  bool localhost_nodeports = true;
  // iptables: NodePorts on every local address (`-m addrtype --dst-type LOCAL`, the
  // default) or only on node_ips (`--nodeport-addresses`). nftables always uses
  // node_ips (its default is the node's primary IPs); with none, `fib daddr type local`.
  bool nodeport_addresses_all = true;
  // nf_conntrack_tcp_be_liberal set: kube-proxy then writes no INVALID drop rule.
  bool conntrack_tcp_liberal = false;
  // iptables: MASQUERADE --random-fully (kube-proxy adds it when iptables supports it).
  bool random_fully = true;
  // iptables: nullopt = as kube-proxy decides (more than 1000 endpoints in total: drop
  // the per-endpoint comments); true/false forces it.
  std::optional<bool> large_cluster_mode{};
  // iptables: write the jumps from the built-in chains into the restore input (kube-proxy
  // adds them with separate `iptables -I` calls; a fresh namespace needs them).
  bool include_builtin_jumps = true;
  // The service.kubernetes.io/service-proxy-name this proxy answers to ("": only
  // Services without the label), as model::ShouldProxy reads it.
  std::string proxy_name{};
};

// What a generator wrote, for reports ("1M rules in 4.1 s").
struct RulesetStats {
  size_t service_ports = 0;  // service ports of the family with at least a ClusterIP
  size_t endpoints = 0;      // endpoint chains written (KUBE-SEP / endpoint-)
  size_t chains = 0;         // chains declared (all tables)
  size_t rules = 0;          // rules (-A lines / add rule lines)
  size_t elements = 0;       // nftables set and map elements
};

struct Ruleset {
  std::string text;
  RulesetStats stats;
};

// iptables-restore input (tables filter then nat, each ending in COMMIT) for one family,
// to be loaded with `--noflush` into a namespace. IPv6 input is for ip6tables-restore.
Ruleset BuildIptablesRuleset(std::span<const model::Service> services,
                             std::span<const model::EndpointSlice> slices,
                             const RulesetOptions& options, IpFamily family = IpFamily::kV4);
inline std::string IptablesRestoreInput(std::span<const model::Service> services,
                                        std::span<const model::EndpointSlice> slices,
                                        const RulesetOptions& options,
                                        IpFamily family = IpFamily::kV4) {
  return BuildIptablesRuleset(services, slices, options, family).text;
}

// `nft -f` input creating table `ip kube-proxy` (IPv4) or `ip6 kube-proxy` (IPv6). It
// starts by deleting the table if present (`add table` + `delete table`), so loading it
// twice leaves one copy. Concatenate the two families' outputs for dual stack.
Ruleset BuildNftablesRuleset(std::span<const model::Service> services,
                             std::span<const model::EndpointSlice> slices,
                             const RulesetOptions& options, IpFamily family = IpFamily::kV4);
inline std::string NftablesInput(std::span<const model::Service> services,
                                 std::span<const model::EndpointSlice> slices,
                                 const RulesetOptions& options, IpFamily family = IpFamily::kV4) {
  return BuildNftablesRuleset(services, slices, options, family).text;
}

// --- removing the rules ----------------------------------------------------------------

// iptables-restore --noflush input that removes what kube-proxy owns, given
// `iptables-save` output of the namespace (tables filter and nat): the jumps from the
// built-in chains to KUBE-* chains are deleted and every KUBE-* chain is flushed and
// deleted, as kube-proxy's CleanupLeftovers does. Other rules are left alone. "" when
// there is nothing to remove.
std::string IptablesCleanupInput(std::string_view iptables_save_output);

// nft -f input that deletes table `ip kube-proxy` / `ip6 kube-proxy` (no error when it
// is absent), as kube-proxy's nftables cleanup does.
std::string NftablesCleanupInput(IpFamily family = IpFamily::kV4);

// --- kube-proxy's names, exposed for tests and reports --------------------------------

// proxy.ServicePortName.String(): "ns/name:port", or "ns/name" for an unnamed port.
std::string ServicePortName(const model::ObjectName& service, std::string_view port_name);
// "tcp" / "udp" / "sctp", as kube-proxy lower-cases v1.Protocol.
std::string_view LowerProtocol(model::Protocol protocol);
// The endpoint string kube-proxy hashes and DNATs to: "10.0.0.1:80", "[fd00::1]:80".
std::string EndpointString(const IpAddress& address, uint16_t port);

// base32(sha256(service_port_name + protocol)) truncated to 16 characters.
std::string PortProtoHash(std::string_view service_port_name, std::string_view protocol);
// KUBE-SVC- / KUBE-SVL- / KUBE-EXT- / KUBE-FW- + PortProtoHash.
std::string IptablesServiceChain(std::string_view service_port_name, std::string_view protocol);
std::string IptablesLocalChain(std::string_view service_port_name, std::string_view protocol);
std::string IptablesExternalChain(std::string_view service_port_name, std::string_view protocol);
std::string IptablesFirewallChain(std::string_view service_port_name, std::string_view protocol);
// KUBE-SEP- + base32(sha256(service_port_name + protocol + endpoint))[:16].
std::string IptablesEndpointChain(std::string_view service_port_name, std::string_view protocol,
                                  std::string_view endpoint);
// `--probability` for the i-th of n rules: 1/(n-i) formatted "%0.10f" ("0.3333333333").
std::string StatisticProbability(size_t remaining_endpoints);

// nftables chain name bases: base32(sha256(name))[:8] + "-" + name with name
// "ns/svc/tcp/port" or "ns/svc/tcp/port__ip/port" (IPv6 colons become dots), truncated
// to 240 characters as kube-proxy does.
std::string NftServiceChainBase(const model::ObjectName& service, std::string_view port_name,
                                std::string_view protocol);
std::string NftEndpointChainBase(const model::ObjectName& service, std::string_view port_name,
                                 std::string_view protocol, std::string_view endpoint);

// The masquerade mark as kube-proxy formats it (Go "%#08x" of 1 << bit): "0x00004000".
std::string MasqueradeMark(int masquerade_bit);

}  // namespace sluice::kubeproxy
