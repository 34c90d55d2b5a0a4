// The Services of a B2/B3/B8 run: N ClusterIP Services, each with two endpoints among
// the topology's backends, the measured ("target") Service last, so that it is the
// last jump in iptables' KUBE-SERVICES chain. Written as the manifests sluice-agent
// reads (a JSON List, as `kubectl get -o json` prints it) and decoded back with the
// agent's own decoder into the model objects kube-proxy's rules are built from: every
// mode serves exactly the same set.
//
// Address plan (scripts/lib/topology.sh reserves 198.19.128.0/17 for ClusterIPs):
//   Service i (0-based) svc-<i>  clusterIP 198.19.128.0 + 1 + (i mod 32767)
//                                port 80 + (i div 32767) -> targetPort 8080 ("http")
//   so up to 32767 Services have distinct IPs on port 80; 100k Services use four ports.
//   endpoints: backends b and b+1 (mod the backend count) for b = i mod backends, at
//   198.18.<b>.2:8080; the target Service always gets be1 and be2.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "model/objects.h"

namespace sluice::bench {

struct ServiceSetOptions {
  size_t services = 1;
  int backends = 4;  // be1..beB in the topology
  uint16_t backend_port = 8080;
};

struct ServiceSet {
  std::vector<model::Service> services;
  std::vector<model::EndpointSlice> slices;
  std::string manifest_json;                // the agent's --manifests file
  std::string target_frontend;              // "198.19.x.y:p" of the last Service
  std::vector<std::string> target_backends;  // "198.18.1.2:8080", "198.18.2.2:8080"
};

// "198.19.128.1:80" for Service 0, and so on (the address plan above).
std::string FrontendOf(size_t index);
std::string BackendAddress(int backend, uint16_t port);  // "198.18.<b>.2:<port>"

// Throws std::runtime_error if the decoder rejects anything it generated.
ServiceSet BuildServiceSet(const ServiceSetOptions& options);

}  // namespace sluice::bench
