// kube-proxy's semantics, from objects to frontends: which Services are proxied,
// how the EndpointSlices of a Service merge, which endpoints are usable for which
// traffic.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "model/lb_state.h"
#include "model/objects.h"

namespace sluice::model {

// False for what kube-proxy leaves alone: headless and ExternalName Services, and
// Services whose service-proxy-name label does not name us (an empty proxy_name
// means: only Services without the label).
bool ShouldProxy(const Service& service, std::string_view proxy_name);

// Every frontend of one Service, with its usable backends:
// - ClusterIP frontends (internal scope) for each clusterIP x port;
// - NodePort frontends for each node IP of the family x nodePort, externalIPs and
//   LoadBalancer ingress IPs x port, in the external scope with the external traffic
//   policy's backends and in the internal scope (sockets on the node) with the cluster
//   backends, as kube-proxy short-circuits in-cluster traffic to external addresses.
// Endpoints are merged across slices (IP:port deduplicated), only the slice family
// matching the frontend's is used, and a port resolves through the EndpointSlice port
// of the same name and protocol. Ready endpoints are used; when none is ready, the
// serving+terminating ones. Protocols other than TCP/UDP yield no frontend.
// A family takes part only when the Service has a clusterIP of it (kube-proxy runs one
// proxier per family); slices of other Services (by namespace and the
// kubernetes.io/service-name label) are ignored. Headless and ExternalName Services
// yield nothing; the service-proxy-name label is ShouldProxy()'s business.
std::vector<Frontend> ComputeFrontends(const Service& service,
                                       std::span<const EndpointSlice* const> slices,
                                       const NodeContext& node);

}  // namespace sluice::model
