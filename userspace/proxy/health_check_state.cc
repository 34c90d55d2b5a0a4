#include "proxy/health_check_state.h"

#include <algorithm>
#include <set>
#include <vector>

#include "model/compute_frontends.h"

namespace sluice::proxy {

namespace {

model::AddressType AddressTypeOf(IpFamily family) {
  return family == IpFamily::kV4 ? model::AddressType::kIPv4 : model::AddressType::kIPv6;
}

bool HasClusterIpOf(const model::Service& service, IpFamily family) {
  return std::any_of(service.cluster_ips.begin(), service.cluster_ips.end(),
                     [family](const IpAddress& ip) { return ip.family() == family; });
}

bool HasNumberedPort(const model::EndpointSlice& slice) {
  return std::any_of(slice.ports.begin(), slice.ports.end(),
                     [](const model::EndpointPort& port) { return port.port.has_value(); });
}

// The distinct ready IPs of `family` on `node_name` across the Service's slices.
size_t CountFamily(const model::Service& service,
                   std::span<const model::EndpointSlice* const> slices, IpFamily family,
                   std::string_view node_name) {
  std::set<IpAddress> ready;
  for (const model::EndpointSlice* slice : slices) {
    if (slice == nullptr || slice->ServiceId() != service.meta.id) continue;
    if (slice->address_type != AddressTypeOf(family) || !HasNumberedPort(*slice)) continue;
    for (const model::Endpoint& endpoint : slice->endpoints) {
      // As everywhere in sluice: the first address is the endpoint's address.
      if (endpoint.addresses.empty() || endpoint.addresses.front().family() != family) continue;
      if (endpoint.node_name != node_name || !endpoint.conditions.EffectiveReady()) continue;
      ready.insert(endpoint.addresses.front());
    }
  }
  return ready.size();
}

}  // namespace

uint16_t HealthCheckNodePort(const model::Service& service, std::string_view proxy_name) {
  if (!model::ShouldProxy(service, proxy_name)) return 0;
  if (service.type != model::ServiceType::kLoadBalancer) return 0;
  if (service.external_traffic_policy != model::TrafficPolicy::kLocal) return 0;
  if (service.cluster_ips.empty() || service.ports.empty()) return 0;
  return service.health_check_node_port;
}

int LocalReadyEndpoints(const model::Service& service,
                        std::span<const model::EndpointSlice* const> slices,
                        std::string_view node_name) {
  // An endpoint without a node name is nobody's local endpoint.
  if (node_name.empty()) return 0;
  size_t best = 0;
  for (IpFamily family : {IpFamily::kV4, IpFamily::kV6}) {
    if (HasClusterIpOf(service, family))
      best = std::max(best, CountFamily(service, slices, family, node_name));
  }
  return static_cast<int>(best);
}

HealthCheckState ComputeHealthCheckState(std::span<const ServicePtr> services,
                                         std::span<const SlicePtr> slices,
                                         std::string_view node_name, std::string_view proxy_name) {
  std::map<model::ObjectName, std::vector<const model::EndpointSlice*>> slices_by_service;
  for (const SlicePtr& slice : slices)
    if (slice) slices_by_service[slice->ServiceId()].push_back(slice.get());

  HealthCheckState state;
  for (const ServicePtr& service : services) {
    if (!service) continue;
    uint16_t port = HealthCheckNodePort(*service, proxy_name);
    if (port == 0) continue;
    const model::ObjectName& name = service->meta.id;
    state.ports[name] = port;
    auto own = slices_by_service.find(name);
    state.local_endpoints[name] =
        own == slices_by_service.end() ? 0 : LocalReadyEndpoints(*service, own->second, node_name);
  }
  return state;
}

}  // namespace sluice::proxy
