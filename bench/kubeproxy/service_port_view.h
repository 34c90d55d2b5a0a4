// What kube-proxy's proxier of one family knows about each service port once its change
// trackers have run: addresses, policies and the categorized endpoints
// (proxy.CategorizeEndpoints). Both generators write rules from this view only.
// Internal to sluice_kubeproxy_rules.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "bench/kubeproxy/kube_proxy_rules.h"

namespace sluice::kubeproxy {

struct EndpointView {
  IpAddress address;
  uint16_t port = 0;
  std::string text;  // EndpointString(): what is hashed, sorted on and DNATed to
  bool local = false;
};

struct ServicePortView {
  const model::Service* service = nullptr;
  const model::ServicePort* port = nullptr;
  std::string name;            // ServicePortName(): "ns/name:port"
  std::string_view protocol;   // "tcp" / "udp"
  IpAddress cluster_ip;        // the Service's clusterIP of this family
  std::vector<IpAddress> external_ips;       // of this family
  std::vector<IpAddress> load_balancer_ips;  // of this family
  std::vector<IpPrefix> source_ranges;       // loadBalancerSourceRanges of this family
  uint16_t node_port = 0;                    // 0 unless NodePort/LoadBalancer
  uint16_t health_check_node_port = 0;       // 0 unless externalTrafficPolicy Local

  bool internal_policy_local = false;
  bool external_policy_local = false;
  bool affinity = false;
  uint32_t affinity_timeout = 0;

  // CategorizeEndpoints: endpoints for "Cluster" policy (when used), for "Local" policy
  // (when used), and the union of both; each sorted by text, as kube-proxy sorts.
  std::vector<EndpointView> cluster_endpoints;
  std::vector<EndpointView> local_endpoints;
  std::vector<EndpointView> reachable_endpoints;
  bool has_endpoints = false;  // usable endpoints anywhere in the cluster

  bool ExternallyAccessible() const {
    return node_port != 0 || !load_balancer_ips.empty() || !external_ips.empty();
  }
  bool UsesClusterEndpoints() const { return !internal_policy_local || ExternallyAccessible(); }
  bool UsesLocalEndpoints() const {
    return internal_policy_local || (external_policy_local && ExternallyAccessible());
  }
};

// One view per (proxied Service with a clusterIP of `family`) x (TCP/UDP port), in input
// order of Services and of their ports. `total_endpoints` gets kube-proxy's count for the
// large-cluster decision (usable endpoints of all service ports).
std::vector<ServicePortView> BuildServicePortViews(std::span<const model::Service> services,
                                                   std::span<const model::EndpointSlice> slices,
                                                   const RulesetOptions& options, IpFamily family,
                                                   size_t* total_endpoints = nullptr);

// The first prefix of `family` in `prefixes`, if any.
const IpPrefix* FirstOfFamily(const std::vector<IpPrefix>& prefixes, IpFamily family);

}  // namespace sluice::kubeproxy
