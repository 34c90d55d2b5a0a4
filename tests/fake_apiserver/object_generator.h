// A synthetic cluster for benchmarks and scale tests: N Services, each with M ready
// endpoints spread over the given nodes, in EndpointSlices of at most 100 endpoints
// (the EndpointSlice controller's default), optionally dual-stack. Names and
// addresses are deterministic, so two runs serve the same objects:
//   Service  bench/svc-000042          clusterIP 198.19.0.43  (fd00:19::2b)
//   slices   bench/svc-000042-v4-0 ... endpoints 198.18.x.y   (fd00:18::<n>)
// Service i (0-based) gets cluster IP 198.19.0.0 + i + 1 (up to 32767 Services).
// Endpoint k (1-based, over all Services) gets fd00:18::<k hex> and the k-th address
// of 198.18.0.1-198.18.253.255 then 198.19.128.0-198.19.239.255; past those 93695
// addresses IPv4 endpoints repeat (Services sharing Pods), IPv6 ones never do.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace sluice::fake_apiserver {

struct GeneratorOptions {
  size_t services = 100;
  size_t endpoints_per_service = 10;
  size_t ports_per_service = 1;  // port 80+p → targetPort 8080+p, named http-<p>
  bool dual_stack = false;
  std::string ns = "bench";
  std::vector<std::string> nodes = {"node1"};  // endpoints round-robin over these
  size_t max_endpoints_per_slice = 100;
};

// Services first, then EndpointSlices, then one Node per name in `nodes` (with
// InternalIP 198.18.255.<i+1>). Throws std::invalid_argument when the address
// ranges are too small for the request.
std::vector<nlohmann::json> GenerateObjects(const GeneratorOptions& options);

}  // namespace sluice::fake_apiserver
