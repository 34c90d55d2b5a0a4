#include "fake_apiserver/object_generator.h"

#include <cstdio>
#include <stdexcept>

namespace sluice::fake_apiserver {
namespace {

constexpr size_t kMaxServices = 32767;  // 198.19.0.1 - 198.19.127.255
// Endpoint addresses: 198.18.0.1 - 198.18.253.255 (198.18.254-255.x are for nodes),
// then 198.19.128.0 - 198.19.239.255 (198.19.240.0/20 is object_defaults.h's).
constexpr size_t kPoolA = 65023;
constexpr size_t kPoolB = 28672;

std::string Ipv4(unsigned second_octet, size_t n) {
  char text[32];
  std::snprintf(text, sizeof text, "198.%u.%zu.%zu", second_octet, n / 256, n % 256);
  return text;
}

// The IPv4 address of endpoint k (1-based, over all Services). Past the pools the
// addresses repeat: large sets then share backends, as Services selecting the same
// Pods do.
std::string EndpointIpv4(size_t k) {
  size_t u = (k - 1) % (kPoolA + kPoolB);
  return u < kPoolA ? Ipv4(18, u + 1) : Ipv4(19, 128 * 256 + (u - kPoolA));
}

std::string Ipv6(const char* prefix, size_t n) {
  char text[48];
  std::snprintf(text, sizeof text, "%s%zx", prefix, n);
  return text;
}

std::string Name(size_t i) {
  char text[32];
  std::snprintf(text, sizeof text, "svc-%06zu", i);
  return text;
}

nlohmann::json MakeService(const GeneratorOptions& o, size_t i) {
  nlohmann::json ports = nlohmann::json::array();
  for (size_t p = 0; p < o.ports_per_service; ++p) {
    ports.push_back({{"name", "http-" + std::to_string(p)},
                     {"protocol", "TCP"},
                     {"port", 80 + p},
                     {"targetPort", 8080 + p}});
  }
  nlohmann::json ips = {Ipv4(19, i + 1)};
  nlohmann::json families = {"IPv4"};
  if (o.dual_stack) {
    ips.push_back(Ipv6("fd00:19::", i + 1));
    families.push_back("IPv6");
  }
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", {{"name", Name(i)}, {"namespace", o.ns}, {"labels", {{"app", Name(i)}}}}},
          {"spec",
           {{"type", "ClusterIP"},
            {"selector", {{"app", Name(i)}}},
            {"ports", ports},
            {"clusterIP", ips[0]},
            {"clusterIPs", ips},
            {"ipFamilies", families},
            {"ipFamilyPolicy", o.dual_stack ? "RequireDualStack" : "SingleStack"}}}};
}

void AddSlices(const GeneratorOptions& o, size_t i, bool ipv6, std::vector<nlohmann::json>* out) {
  nlohmann::json ports = nlohmann::json::array();
  for (size_t p = 0; p < o.ports_per_service; ++p) {
    ports.push_back({{"name", "http-" + std::to_string(p)}, {"protocol", "TCP"}, {"port", 8080 + p}});
  }
  size_t per_slice = o.max_endpoints_per_slice == 0 ? 100 : o.max_endpoints_per_slice;
  size_t slices = (o.endpoints_per_service + per_slice - 1) / per_slice;
  for (size_t s = 0; s < slices; ++s) {
    nlohmann::json endpoints = nlohmann::json::array();
    for (size_t j = s * per_slice; j < std::min(o.endpoints_per_service, (s + 1) * per_slice); ++j) {
      size_t k = i * o.endpoints_per_service + j + 1;
      const std::string& node = o.nodes[k % o.nodes.size()];
      endpoints.push_back({{"addresses", {ipv6 ? Ipv6("fd00:18::", k) : EndpointIpv4(k)}},
                           {"conditions", {{"ready", true}, {"serving", true}, {"terminating", false}}},
                           {"nodeName", node},
                           {"targetRef", {{"kind", "Pod"}, {"namespace", o.ns},
                                          {"name", Name(i) + "-" + std::to_string(j)}}}});
    }
    out->push_back(
        {{"apiVersion", "discovery.k8s.io/v1"},
         {"kind", "EndpointSlice"},
         {"metadata",
          {{"name", Name(i) + (ipv6 ? "-v6-" : "-v4-") + std::to_string(s)},
           {"namespace", o.ns},
           {"labels", {{"kubernetes.io/service-name", Name(i)},
                       {"endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io"}}}}},
         {"addressType", ipv6 ? "IPv6" : "IPv4"},
         {"endpoints", endpoints},
         {"ports", ports}});
  }
}

}  // namespace

std::vector<nlohmann::json> GenerateObjects(const GeneratorOptions& o) {
  if (o.services > kMaxServices) throw std::invalid_argument("at most 32767 generated Services");
  if (o.nodes.empty() || o.nodes.size() > 254) throw std::invalid_argument("1 to 254 nodes");
  std::vector<nlohmann::json> out;
  for (size_t i = 0; i < o.services; ++i) out.push_back(MakeService(o, i));
  for (size_t i = 0; i < o.services; ++i) {
    AddSlices(o, i, false, &out);
    if (o.dual_stack) AddSlices(o, i, true, &out);
  }
  for (size_t n = 0; n < o.nodes.size(); ++n) {
    out.push_back({{"apiVersion", "v1"},
                   {"kind", "Node"},
                   {"metadata", {{"name", o.nodes[n]}, {"labels", {{"kubernetes.io/hostname", o.nodes[n]}}}}},
                   {"status", {{"addresses", {{{"type", "InternalIP"}, {"address", Ipv4(18, 255 * 256 + n + 1)}},
                                              {{"type", "Hostname"}, {"address", o.nodes[n]}}}}}}});
  }
  return out;
}

}  // namespace sluice::fake_apiserver
