// A synthetic Service/EndpointSlice set for scale runs of the generators and loaders:
// N ClusterIP Services (one TCP port "http"), each with M ready endpoints in one slice,
// addresses counted up from the given prefixes. IPv4 only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/objects.h"

namespace sluice::kubeproxy {

struct SyntheticSetOptions {
  size_t services = 1000;
  size_t endpoints_per_service = 10;
  std::string service_cidr = "10.96.0.0/12";  // ClusterIPs: .1, .2, ... (wraps within)
  std::string pod_cidr = "10.128.0.0/9";      // endpoints: one address per endpoint
  uint16_t port = 80;
  uint16_t target_port = 8080;
  std::string ns = "bench";
  std::string name_prefix = "svc-";  // Services svc-0, svc-1, ...
  std::string node_name{};             // endpoints' nodeName ("" = none)
};

struct SyntheticSet {
  std::vector<model::Service> services;
  std::vector<model::EndpointSlice> slices;
};

// Throws std::invalid_argument for unparsable prefixes.
SyntheticSet MakeSyntheticSet(const SyntheticSetOptions& options);

}  // namespace sluice::kubeproxy
