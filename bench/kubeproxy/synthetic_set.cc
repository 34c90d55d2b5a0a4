#include "bench/kubeproxy/synthetic_set.h"

#include <stdexcept>

#include "base/ip_address.h"

namespace sluice::kubeproxy {
namespace {

struct V4Range {
  uint32_t base = 0;
  uint32_t size = 0;  // addresses after the network address

  static V4Range Parse(const std::string& text) {
    std::optional<IpPrefix> prefix = IpPrefix::Parse(text);
    if (!prefix || !prefix->address.is_v4() || prefix->length > 30)
      throw std::invalid_argument("not an IPv4 prefix of /30 or wider: " + text);
    const auto& b = prefix->address.bytes();
    uint32_t base = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
    uint32_t size = prefix->length == 0 ? 0xfffffffeu : (1u << (32 - prefix->length)) - 2;
    return {base, size};
  }
  // The n-th usable address (1-based within the prefix), wrapping.
  IpAddress At(size_t n) const { return IpAddress::FromV4(base + 1 + uint32_t(n % size)); }
};

}  // namespace

SyntheticSet MakeSyntheticSet(const SyntheticSetOptions& options) {
  V4Range vips = V4Range::Parse(options.service_cidr);
  V4Range pods = V4Range::Parse(options.pod_cidr);
  SyntheticSet set;
  set.services.reserve(options.services);
  set.slices.reserve(options.services);
  for (size_t i = 0; i < options.services; ++i) {
    std::string name = options.name_prefix + std::to_string(i);
    model::Service service;
    service.meta.id = {options.ns, name};
    service.type = model::ServiceType::kClusterIP;
    service.cluster_ips = {vips.At(i)};
    service.ports = {model::ServicePort{.name = "http",
                                        .protocol = model::Protocol::kTcp,
                                        .port = options.port,
                                        .target_port_number = options.target_port,
                                        .target_port_name = ""}};
    set.services.push_back(std::move(service));

    model::EndpointSlice slice;
    slice.meta.id = {options.ns, name + "-1"};
    slice.meta.labels[model::kServiceNameLabel] = name;
    slice.service_name = name;
    slice.address_type = model::AddressType::kIPv4;
    slice.ports = {model::EndpointPort{
        .name = "http", .protocol = model::Protocol::kTcp, .port = options.target_port}};
    slice.endpoints.reserve(options.endpoints_per_service);
    for (size_t e = 0; e < options.endpoints_per_service; ++e) {
      model::Endpoint endpoint;
      endpoint.addresses = {pods.At(i * options.endpoints_per_service + e)};
      endpoint.conditions.ready = true;
      endpoint.node_name = options.node_name;
      slice.endpoints.push_back(std::move(endpoint));
    }
    set.slices.push_back(std::move(slice));
  }
  return set;
}

}  // namespace sluice::kubeproxy
