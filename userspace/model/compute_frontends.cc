#include "model/compute_frontends.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

namespace sluice::model {

bool ShouldProxy(const Service& service, std::string_view proxy_name) {
  if (service.headless || service.type == ServiceType::kExternalName) return false;
  // kube-proxy watches Services through a label selector that excludes both labels;
  // a Service carrying service.kubernetes.io/headless is never programmed.
  if (service.meta.labels.contains(kHeadlessLabel)) return false;
  auto owner = service.meta.labels.find(kServiceProxyNameLabel);
  if (owner == service.meta.labels.end()) return true;
  return !proxy_name.empty() && owner->second == proxy_name;
}

namespace {

// How usable an endpoint is, in kube-proxy's order of preference: ready endpoints
// take traffic; serving-but-terminating ones only when no ready one is left.
enum class Usability : uint8_t { kUnusable = 0, kFallback = 1, kReady = 2 };

Usability UsabilityOf(const EndpointConditions& conditions) {
  if (conditions.EffectiveReady()) return Usability::kReady;
  if (conditions.EffectiveServing() && conditions.EffectiveTerminating())
    return Usability::kFallback;
  return Usability::kUnusable;
}

// One address:port after merging every slice that lists it.
struct Candidate {
  Usability usability = Usability::kUnusable;
  bool local = false;
};

using CandidateMap = std::map<std::pair<IpAddress, uint16_t>, Candidate>;

struct BackendSets {
  std::vector<Backend> cluster;  // what any node may send to
  std::vector<Backend> local;    // the subset on this node (traffic policy Local)
};

bool IsBalanced(Protocol protocol) {
  return protocol == Protocol::kTcp || protocol == Protocol::kUdp;
}

AddressType AddressTypeOf(IpFamily family) {
  return family == IpFamily::kV4 ? AddressType::kIPv4 : AddressType::kIPv6;
}

bool HasFamily(const std::vector<IpAddress>& ips, IpFamily family) {
  return std::any_of(ips.begin(), ips.end(),
                     [family](const IpAddress& ip) { return ip.family() == family; });
}

bool BelongsTo(const EndpointSlice& slice, const Service& service) {
  return slice.meta.id.ns == service.meta.id.ns && slice.service_name == service.meta.id.name;
}

// kube-proxy ignores targetPort: the number comes from the slice's port of the same
// name and protocol, which the EndpointSlice controller resolved per Pod. Slices may
// disagree during a rollout, so this is asked per slice.
std::optional<uint16_t> EndpointPortFor(const EndpointSlice& slice, const ServicePort& port) {
  for (const EndpointPort& candidate : slice.ports) {
    if (candidate.name == port.name && candidate.protocol == port.protocol && candidate.port)
      return candidate.port;
  }
  return std::nullopt;
}

// Merges the endpoints of every slice of `family` for one ServicePort. An endpoint
// listed twice (it is moving between slices, or a controller lags) keeps the most
// usable conditions any slice gave it and is local if any slice says so, so the
// result does not depend on the order slices arrived in.
CandidateMap MergeEndpoints(std::span<const EndpointSlice* const> slices, const ServicePort& port,
                            IpFamily family, const std::string& node_name) {
  CandidateMap merged;
  for (const EndpointSlice* slice : slices) {
    if (slice->address_type != AddressTypeOf(family)) continue;
    std::optional<uint16_t> number = EndpointPortFor(*slice, port);
    if (!number) continue;
    for (const Endpoint& endpoint : slice->endpoints) {
      // The API calls an endpoint's addresses fungible; consumers use the first.
      if (endpoint.addresses.empty()) continue;
      const IpAddress& address = endpoint.addresses.front();
      if (address.family() != family) continue;
      Candidate& entry = merged[{address, *number}];
      entry.usability = std::max(entry.usability, UsabilityOf(endpoint.conditions));
      entry.local = entry.local || (!node_name.empty() && endpoint.node_name == node_name);
    }
  }
  return merged;
}

// kube-proxy's selection over a set of endpoints: the ready ones, or, when none is
// ready, the serving-and-terminating ones so that draining Pods still answer.
std::vector<Backend> SelectUsable(const CandidateMap& candidates, Protocol protocol,
                                  bool local_only) {
  auto pick = [&](Usability wanted) {
    std::vector<Backend> picked;
    for (const auto& [address_port, candidate] : candidates) {
      if (candidate.usability != wanted || (local_only && !candidate.local)) continue;
      picked.push_back(Backend{.address = address_port.first,
                               .port = address_port.second,
                               .protocol = protocol,
                               .terminating = wanted == Usability::kFallback,
                               .local = candidate.local});
    }
    return picked;
  };
  std::vector<Backend> backends = pick(Usability::kReady);
  if (backends.empty()) backends = pick(Usability::kFallback);
  // The map iterates in address:port order already; sorting keeps that promise
  // explicit should the key ever change.
  std::sort(backends.begin(), backends.end());
  return backends;
}

BackendSets CollectBackends(std::span<const EndpointSlice* const> slices, const ServicePort& port,
                            IpFamily family, const std::string& node_name) {
  CandidateMap candidates = MergeEndpoints(slices, port, family, node_name);
  return BackendSets{.cluster = SelectUsable(candidates, port.protocol, false),
                     .local = SelectUsable(candidates, port.protocol, true)};
}

// Builds the frontends of one ServicePort in one address family.
class PortFrontends {
 public:
  PortFrontends(const Service& service, const ServicePort& port, const BackendSets& sets,
                std::vector<Frontend>& out)
      : service_(service), port_(port), sets_(sets), out_(out) {}

  void AddClusterIP(const IpAddress& ip, bool external_too) {
    bool local = service_.internal_traffic_policy == TrafficPolicy::kLocal;
    Add(FrontendType::kClusterIP, ip, port_.port, Scope::kInternal, local);
    if (external_too) {
      bool external_local = service_.external_traffic_policy == TrafficPolicy::kLocal;
      Add(FrontendType::kClusterIP, ip, port_.port, Scope::kExternal, external_local);
    }
  }

  // An address that is reached from outside the node: the external scope follows
  // externalTrafficPolicy; sockets on the node reaching the same address get the
  // cluster-wide backends, as kube-proxy short-circuits in-cluster traffic there.
  void AddExternallyReachable(FrontendType type, const IpAddress& ip, uint16_t port) {
    bool local = service_.external_traffic_policy == TrafficPolicy::kLocal;
    Add(type, ip, port, Scope::kExternal, local);
    Add(type, ip, port, Scope::kInternal, false);
  }

 private:
  void Add(FrontendType type, const IpAddress& ip, uint16_t port, Scope scope, bool local_only) {
    Frontend frontend{
        .key = {.address = ip, .port = port, .protocol = port_.protocol, .scope = scope},
        .type = type,
        .service = service_.meta.id.ToString(),
        .port_name = port_.name,
        .backends = local_only ? sets_.local : sets_.cluster,
    };
    if (local_only) frontend.flags |= LB_SVC_F_LOCAL_ONLY;
    if (service_.session_affinity_client_ip) {
      frontend.flags |= LB_SVC_F_AFFINITY;
      frontend.affinity_timeout = service_.session_affinity_timeout;
    }
    // kube-proxy filters loadBalancerSourceRanges on LoadBalancer IPs only, per family:
    // a family without ranges is not restricted.
    if (type == FrontendType::kLoadBalancer && scope == Scope::kExternal) {
      for (const IpPrefix& range : service_.load_balancer_source_ranges)
        if (range.address.family() == ip.family()) frontend.source_ranges.push_back(range);
      if (!frontend.source_ranges.empty()) frontend.flags |= LB_SVC_F_SOURCE_RANGES;
    }
    out_.push_back(std::move(frontend));
  }

  const Service& service_;
  const ServicePort& port_;
  const BackendSets& sets_;
  std::vector<Frontend>& out_;
};

bool AllocatesNodePorts(ServiceType type) {
  return type == ServiceType::kNodePort || type == ServiceType::kLoadBalancer;
}

void AddFamily(const Service& service, std::span<const EndpointSlice* const> slices,
               const NodeContext& node, IpFamily family, std::vector<Frontend>& out) {
  auto of_family = [family](const std::vector<IpAddress>& ips) {
    std::vector<IpAddress> matching;
    for (const IpAddress& ip : ips)
      if (ip.family() == family) matching.push_back(ip);
    return matching;
  };
  for (const ServicePort& port : service.ports) {
    if (!IsBalanced(port.protocol)) continue;
    BackendSets sets = CollectBackends(slices, port, family, node.node_name);
    PortFrontends frontends(service, port, sets, out);
    for (const IpAddress& ip : of_family(service.cluster_ips))
      frontends.AddClusterIP(ip, node.cluster_ips_external);
    if (AllocatesNodePorts(service.type) && port.node_port != 0) {
      for (const IpAddress& ip : of_family(node.node_ips))
        frontends.AddExternallyReachable(FrontendType::kNodePort, ip, port.node_port);
    }
    for (const IpAddress& ip : of_family(service.external_ips))
      frontends.AddExternallyReachable(FrontendType::kExternalIP, ip, port.port);
    // Like kube-proxy, trust status over spec.type: the ingress list is only
    // filled for LoadBalancer Services, and emptied when one stops being one.
    for (const IpAddress& ip : of_family(service.load_balancer_ips))
      frontends.AddExternallyReachable(FrontendType::kLoadBalancer, ip, port.port);
  }
}

// Groups frontends by type, then orders by key. Should two frontends claim the same
// key (an externalIP equal to a node IP on a nodePort), the first type in
// lb_frontend_type order keeps it: the datapath holds one entry per key.
void SortAndDeduplicate(std::vector<Frontend>& frontends) {
  std::sort(frontends.begin(), frontends.end(), [](const Frontend& a, const Frontend& b) {
    return std::tie(a.type, a.key) < std::tie(b.type, b.key);
  });
  std::set<FrontendKey> seen;
  std::erase_if(frontends, [&seen](const Frontend& f) { return !seen.insert(f.key).second; });
}

}  // namespace

std::vector<Frontend> ComputeFrontends(const Service& service,
                                       std::span<const EndpointSlice* const> slices,
                                       const NodeContext& node) {
  if (service.headless || service.type == ServiceType::kExternalName) return {};
  std::vector<const EndpointSlice*> own;
  for (const EndpointSlice* slice : slices)
    if (slice != nullptr && BelongsTo(*slice, service)) own.push_back(slice);

  std::vector<Frontend> frontends;
  // kube-proxy runs one proxier per family and a Service takes part in a family only
  // when it has a clusterIP of it; its node, external and LoadBalancer addresses of
  // other families are left alone, as there.
  for (IpFamily family : {IpFamily::kV4, IpFamily::kV6}) {
    if (HasFamily(service.cluster_ips, family)) AddFamily(service, own, node, family, frontends);
  }
  SortAndDeduplicate(frontends);
  return frontends;
}

}  // namespace sluice::model
