#include "bench/kubeproxy/service_port_view.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <utility>

#include "model/compute_frontends.h"

namespace sluice::kubeproxy {
namespace {

bool AllocatesNodePorts(model::ServiceType type) {
  return type == model::ServiceType::kNodePort || type == model::ServiceType::kLoadBalancer;
}

std::vector<IpAddress> OfFamily(const std::vector<IpAddress>& ips, IpFamily family) {
  std::vector<IpAddress> out;
  for (const IpAddress& ip : ips)
    if (ip.family() == family) out.push_back(ip);
  return out;
}

std::vector<EndpointView> ToViews(const std::vector<model::Backend>& backends) {
  std::vector<EndpointView> out;
  out.reserve(backends.size());
  for (const model::Backend& backend : backends) {
    out.push_back(EndpointView{.address = backend.address,
                               .port = backend.port,
                               .text = EndpointString(backend.address, backend.port),
                               .local = backend.local});
  }
  // kube-proxy's endpointsMap keeps each service port's endpoints sorted by String().
  std::sort(out.begin(), out.end(),
            [](const EndpointView& a, const EndpointView& b) { return a.text < b.text; });
  return out;
}

// kube-proxy's endpoint selection, done by model::ComputeFrontends so that sluice and
// both kube-proxy modes serve the same backends. One call yields both sets: a stand-in
// Service with only the clusterIP of the family, internal policy Cluster and external
// policy Local, with ClusterIPs reachable from outside, gets an internal-scope frontend
// per port carrying the cluster-wide backends (ready ones, else serving+terminating)
// and an external-scope twin carrying this node's (the same rule applied to local
// endpoints only).
struct EndpointSets {
  std::vector<model::Backend> cluster;
  std::vector<model::Backend> local;
};

std::map<std::pair<uint16_t, model::Protocol>, EndpointSets> SelectEndpoints(
    const model::Service& service, const IpAddress& cluster_ip,
    std::span<const model::EndpointSlice* const> slices, const std::string& node_name) {
  model::Service probe;
  probe.meta.id = service.meta.id;
  probe.type = model::ServiceType::kClusterIP;
  probe.cluster_ips = {cluster_ip};
  probe.ports = service.ports;
  probe.internal_traffic_policy = model::TrafficPolicy::kCluster;
  probe.external_traffic_policy = model::TrafficPolicy::kLocal;
  model::NodeContext node{.node_name = node_name, .node_ips = {}, .cluster_ips_external = true};

  std::map<std::pair<uint16_t, model::Protocol>, EndpointSets> sets;
  for (model::Frontend& frontend : model::ComputeFrontends(probe, slices, node)) {
    EndpointSets& entry = sets[{frontend.key.port, frontend.key.protocol}];
    if (frontend.key.scope == model::Scope::kInternal)
      entry.cluster = std::move(frontend.backends);
    else
      entry.local = std::move(frontend.backends);
  }
  return sets;
}

std::vector<EndpointView> Union(const std::vector<EndpointView>& a,
                                const std::vector<EndpointView>& b) {
  std::vector<EndpointView> out = a;
  for (const EndpointView& endpoint : b) {
    bool present = std::any_of(out.begin(), out.end(),
                               [&](const EndpointView& e) { return e.text == endpoint.text; });
    if (!present) out.push_back(endpoint);
  }
  std::sort(out.begin(), out.end(),
            [](const EndpointView& x, const EndpointView& y) { return x.text < y.text; });
  return out;
}

}  // namespace

const IpPrefix* FirstOfFamily(const std::vector<IpPrefix>& prefixes, IpFamily family) {
  for (const IpPrefix& prefix : prefixes)
    if (prefix.address.family() == family) return &prefix;
  return nullptr;
}

std::vector<ServicePortView> BuildServicePortViews(std::span<const model::Service> services,
                                                   std::span<const model::EndpointSlice> slices,
                                                   const RulesetOptions& options, IpFamily family,
                                                   size_t* total_endpoints) {
  std::unordered_map<std::string, std::vector<const model::EndpointSlice*>> slices_by_service;
  for (const model::EndpointSlice& slice : slices)
    slices_by_service[slice.meta.id.ns + "/" + slice.service_name].push_back(&slice);

  std::vector<ServicePortView> views;
  size_t endpoints_total = 0;
  static const std::vector<const model::EndpointSlice*> kNoSlices;
  for (const model::Service& service : services) {
    if (!model::ShouldProxy(service, options.proxy_name)) continue;
    // One proxier per family; a Service takes part where it has a clusterIP.
    std::vector<IpAddress> cluster_ips = OfFamily(service.cluster_ips, family);
    if (cluster_ips.empty()) continue;

    auto found = slices_by_service.find(service.meta.id.ToString());
    const std::vector<const model::EndpointSlice*>& own =
        found == slices_by_service.end() ? kNoSlices : found->second;
    auto sets = SelectEndpoints(service, cluster_ips.front(), own, options.node_name);

    bool externally_reachable_type = AllocatesNodePorts(service.type) ||
                                     (service.type == model::ServiceType::kClusterIP &&
                                      !service.external_ips.empty());
    for (const model::ServicePort& port : service.ports) {
      // ComputeFrontends balances TCP and UDP; kube-proxy's SCTP rules are not modelled.
      if (port.protocol != model::Protocol::kTcp && port.protocol != model::Protocol::kUdp)
        continue;
      ServicePortView view;
      view.service = &service;
      view.port = &port;
      view.name = ServicePortName(service.meta.id, port.name);
      view.protocol = LowerProtocol(port.protocol);
      view.cluster_ip = cluster_ips.front();
      view.external_ips = OfFamily(service.external_ips, family);
      view.load_balancer_ips = OfFamily(service.load_balancer_ips, family);
      for (const IpPrefix& range : service.load_balancer_source_ranges)
        if (range.address.family() == family) view.source_ranges.push_back(range);
      view.node_port = AllocatesNodePorts(service.type) ? port.node_port : 0;
      view.internal_policy_local =
          service.internal_traffic_policy == model::TrafficPolicy::kLocal;
      view.external_policy_local =
          externally_reachable_type &&
          service.external_traffic_policy == model::TrafficPolicy::kLocal;
      if (view.external_policy_local && service.type == model::ServiceType::kLoadBalancer)
        view.health_check_node_port = service.health_check_node_port;
      view.affinity = service.session_affinity_client_ip;
      view.affinity_timeout = service.session_affinity_timeout;

      const EndpointSets& endpoint_sets = sets[{port.port, port.protocol}];
      std::vector<EndpointView> cluster = ToViews(endpoint_sets.cluster);
      std::vector<EndpointView> local = ToViews(endpoint_sets.local);
      // CategorizeEndpoints: a usable endpoint anywhere means a non-empty cluster set.
      view.has_endpoints = !cluster.empty();
      endpoints_total += Union(cluster, local).size();
      if (view.UsesClusterEndpoints()) view.cluster_endpoints = std::move(cluster);
      if (view.UsesLocalEndpoints()) view.local_endpoints = std::move(local);
      if (!view.UsesLocalEndpoints())
        view.reachable_endpoints = view.cluster_endpoints;
      else if (!view.UsesClusterEndpoints())
        view.reachable_endpoints = view.local_endpoints;
      else
        view.reachable_endpoints = Union(view.cluster_endpoints, view.local_endpoints);
      views.push_back(std::move(view));
    }
  }
  if (total_endpoints != nullptr) *total_endpoints = endpoints_total;
  return views;
}

}  // namespace sluice::kubeproxy
