// The desired load-balancing state: what the datapath should answer for each
// frontend. Computed from Services, EndpointSlices and this node's identity by
// ComputeFrontends(); written to the maps by datapath::MapWriter.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <vector>

#include "base/ip_address.h"
#include "model/objects.h"
#include "sluice/abi.h"

namespace sluice::model {

enum class Scope : uint8_t { kInternal = LB_SCOPE_INTERNAL, kExternal = LB_SCOPE_EXTERNAL };

enum class FrontendType : uint8_t {
  kClusterIP = LB_FE_CLUSTER_IP,
  kNodePort = LB_FE_NODE_PORT,
  kExternalIP = LB_FE_EXTERNAL_IP,
  kLoadBalancer = LB_FE_LOAD_BALANCER,
};

const char* FrontendTypeName(FrontendType type);  // "ClusterIP", ...
const char* ScopeName(Scope scope);               // "internal" / "external"

struct FrontendKey {
  IpAddress address;
  uint16_t port = 0;
  Protocol protocol = Protocol::kTcp;  // TCP or UDP: the datapath balances these
  Scope scope = Scope::kInternal;

  std::string ToString() const;  // "198.19.0.10:80/TCP" (+ " (external)")
  auto operator<=>(const FrontendKey&) const = default;
};

struct Backend {
  IpAddress address;
  uint16_t port = 0;
  Protocol protocol = Protocol::kTcp;
  bool terminating = false;  // serving but terminating: chosen only as a fallback
  bool local = false;        // on this node

  std::string ToString() const { return address.WithPort(port); }
  auto operator<=>(const Backend&) const = default;
};

struct Frontend {
  FrontendKey key;
  FrontendType type = FrontendType::kClusterIP;
  std::string service;    // "namespace/name"
  std::string port_name;  // ServicePort.name, may be empty
  uint16_t flags = 0;     // LB_SVC_F_*
  uint32_t affinity_timeout = 0;
  // loadBalancerSourceRanges of this frontend's family (LoadBalancer IPs, external
  // scope only); non-empty sets LB_SVC_F_SOURCE_RANGES.
  std::vector<IpPrefix> source_ranges{};
  // Sorted and without duplicates, so equal sets compare equal and every node derives
  // the same order (Maglev's table is a function of this list).
  std::vector<Backend> backends;

  auto operator<=>(const Frontend&) const = default;
};

// What the node contributes: its name (for Local policies) and its addresses (the
// NodePort frontends).
struct NodeContext {
  std::string node_name;
  std::vector<IpAddress> node_ips;
  // ClusterIPs answer traffic from outside the node too (an external-scope entry next
  // to the internal one); off by default, as kube-proxy leaves them unreachable.
  bool cluster_ips_external = false;
};

}  // namespace sluice::model
