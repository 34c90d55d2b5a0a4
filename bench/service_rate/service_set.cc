#include "service_set.h"

#include <cstdio>
#include <stdexcept>

#include "k8s/manifest_decoder.h"

namespace sluice::bench {
namespace {

constexpr size_t kAddressesPerPort = 32767;  // 198.19.128.1 .. 198.19.255.255

std::string ClusterIpOf(size_t index) {
  const size_t host = 1 + index % kAddressesPerPort;  // offset inside 198.19.128.0/17
  return "198.19." + std::to_string(128 + host / 256) + "." + std::to_string(host % 256);
}

uint16_t PortOf(size_t index) { return static_cast<uint16_t>(80 + index / kAddressesPerPort); }

std::string Name(size_t index) {
  char name[32];
  std::snprintf(name, sizeof(name), "svc-%06zu", index);
  return name;
}

// One Service and its EndpointSlice, appended as JSON text: building nlohmann objects
// for 200k items would take longer than the rest of a run's setup.
void AppendObjects(std::string& out, size_t index, int first_backend, int second_backend,
                   uint16_t backend_port) {
  const std::string name = Name(index);
  const std::string ip = ClusterIpOf(index);
  out += R"({"apiVersion":"v1","kind":"Service","metadata":{"name":")" + name +
         R"(","namespace":"bench"},"spec":{"type":"ClusterIP","clusterIP":")" + ip +
         R"(","clusterIPs":[")" + ip + R"("],"ipFamilies":["IPv4"],"ports":[{"name":"http","port":)" +
         std::to_string(PortOf(index)) + R"(,"protocol":"TCP","targetPort":)" +
         std::to_string(backend_port) + "}]}},\n";
  out += R"({"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":")" + name +
         R"(-x1","namespace":"bench","labels":{"kubernetes.io/service-name":")" + name +
         R"(","endpointslice.kubernetes.io/managed-by":"endpointslice-controller.k8s.io"}},)"
         R"("addressType":"IPv4","endpoints":[)";
  for (int backend : {first_backend, second_backend}) {
    out += R"({"addresses":["198.18.)" + std::to_string(backend) +
           R"(.2"],"conditions":{"ready":true,"serving":true,"terminating":false},"nodeName":"node1"})";
    out += backend == first_backend ? "," : "";
  }
  out += R"(],"ports":[{"name":"http","port":)" + std::to_string(backend_port) + R"(,"protocol":"TCP"}]})";
}

}  // namespace

std::string FrontendOf(size_t index) { return ClusterIpOf(index) + ":" + std::to_string(PortOf(index)); }

std::string BackendAddress(int backend, uint16_t port) {
  return "198.18." + std::to_string(backend) + ".2:" + std::to_string(port);
}

ServiceSet BuildServiceSet(const ServiceSetOptions& options) {
  if (options.services == 0 || options.services > 4 * kAddressesPerPort)
    throw std::runtime_error("between 1 and " + std::to_string(4 * kAddressesPerPort) + " Services");
  if (options.backends < 2) throw std::runtime_error("at least 2 backends");
  ServiceSet set;
  std::string& json = set.manifest_json;
  json.reserve(options.services * 800);
  json += "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[\n";
  for (size_t i = 0; i < options.services; ++i) {
    const bool target = i + 1 == options.services;
    const int first = target ? 1 : static_cast<int>(i % static_cast<size_t>(options.backends)) + 1;
    const int second = first % options.backends + 1;
    AppendObjects(json, i, first, second, options.backend_port);
    json += target ? "\n" : ",\n";
  }
  json += "]}\n";

  k8s::DecodedManifest decoded = k8s::DecodeManifest(json, "bench-services.json");
  if (!decoded.failures.empty())
    throw std::runtime_error("generated manifest rejected: " + decoded.failures.front().object + ": " +
                             decoded.failures.front().reason);
  if (decoded.services.size() != options.services || decoded.endpoint_slices.size() != options.services)
    throw std::runtime_error("generated manifest decoded to a different number of objects");
  set.services = std::move(decoded.services);
  set.slices = std::move(decoded.endpoint_slices);
  set.target_frontend = FrontendOf(options.services - 1);
  set.target_backends = {BackendAddress(1, options.backend_port), BackendAddress(2, options.backend_port)};
  return set;
}

}  // namespace sluice::bench
