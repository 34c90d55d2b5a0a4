// What the health check server serves, derived from the objects with kube-proxy's
// semantics: which Services get a healthCheckNodePort listener, and how many ready
// endpoints each has on this node. A load balancer in front of the cluster probes
// that port on every node and sends a Service's traffic only to the nodes that
// answer 200, i.e. that have local endpoints (externalTrafficPolicy: Local).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string_view>

#include "model/objects.h"
#include "proxy/object_store.h"

namespace sluice::proxy {

struct HealthCheckState {
  // Service -> its healthCheckNodePort: HealthCheckServer::SyncServices' input.
  std::map<model::ObjectName, uint16_t> ports;
  // Service -> ready endpoints on this node, for the Services in `ports` only:
  // HealthCheckServer::SyncEndpoints' input.
  std::map<model::ObjectName, int> local_endpoints;

  bool operator==(const HealthCheckState&) const = default;
};

// The port kube-proxy serves for `service`, or 0 for none. As kube-proxy's
// NeedsHealthCheck: only LoadBalancer Services with externalTrafficPolicy Local (the
// API server allocates the port for exactly those, but a manifest may say anything),
// only Services kube-proxy proxies at all (ShouldProxy with `proxy_name`), with at
// least one clusterIP and one port (kube-proxy's per-port service map has no entry
// otherwise, so it opens no listener either).
uint16_t HealthCheckNodePort(const model::Service& service, std::string_view proxy_name);

// Ready endpoints of `service` on node `node_name`, counted as kube-proxy counts them
// for health checks:
// - by distinct IP: a Pod behind ports 80 and 443 counts once;
// - ready only: serving-but-terminating endpoints take traffic as a fallback, yet a
//   node left with only those must fail the check so the load balancer drains it;
// - from the slices of the Service (namespace + kubernetes.io/service-name) of an
//   address family the Service has a clusterIP of, that list at least one port with
//   a number (kube-proxy's endpoint map has no entry for the others);
// - an endpoint listed by several slices is ready and local if any slice says so
//   (as ComputeFrontends merges them).
// kube-proxy counts per family, one proxier each; for a dual-stack Service sluice
// serves one listener and reports the larger family's count, which is the Pod count
// when Pods are dual-stack and keeps the node in rotation while either family has
// local endpoints.
int LocalReadyEndpoints(const model::Service& service,
                        std::span<const model::EndpointSlice* const> slices,
                        std::string_view node_name);

// Both maps for every Service that needs a health check. `slices` may hold slices of
// any Service; each Service uses its own.
HealthCheckState ComputeHealthCheckState(std::span<const ServicePtr> services,
                                         std::span<const SlicePtr> slices,
                                         std::string_view node_name, std::string_view proxy_name);

}  // namespace sluice::proxy
