#include "model/validate.h"

#include <set>
#include <utility>

namespace sluice::model {

namespace {

// The API server enforces these limits too; they are checked again because manifests
// never went through it, and because the datapath depends on them.
constexpr uint32_t kMaxAffinityTimeoutSeconds = 86400;

std::string PortsField(size_t index) { return "spec.ports[" + std::to_string(index) + "]"; }

std::optional<std::string> ValidateServicePorts(const std::vector<ServicePort>& ports) {
  std::set<std::pair<uint16_t, Protocol>> seen_ports;
  std::set<std::pair<uint16_t, Protocol>> seen_node_ports;
  std::set<std::string> seen_names;
  for (size_t i = 0; i < ports.size(); ++i) {
    const ServicePort& port = ports[i];
    const char* protocol = ProtocolName(port.protocol);
    if (port.port == 0) return PortsField(i) + ".port: must be between 1 and 65535, got 0";
    if (!seen_ports.insert({port.port, port.protocol}).second)
      return PortsField(i) + ": duplicate port " + std::to_string(port.port) + "/" + protocol;
    if (port.node_port != 0 && !seen_node_ports.insert({port.node_port, port.protocol}).second)
      return PortsField(i) + ": duplicate nodePort " + std::to_string(port.node_port) + "/" +
             protocol;
    // Endpoint ports are matched to Service ports by name: two ports of one name
    // would share their backends' port numbers.
    if (port.name.empty() && ports.size() > 1)
      return PortsField(i) + ".name: required when a Service has more than one port";
    if (!seen_names.insert(port.name).second)
      return PortsField(i) + ".name: duplicate port name \"" + port.name + "\"";
  }
  return std::nullopt;
}

std::optional<std::string> ValidateClusterIPs(const std::vector<IpAddress>& ips) {
  std::set<IpFamily> families;
  for (size_t i = 0; i < ips.size(); ++i) {
    if (!families.insert(ips[i].family()).second)
      return "spec.clusterIPs[" + std::to_string(i) + "]: second " +
             std::string(FamilyName(ips[i].family())) + " address " + ips[i].ToString() +
             " (at most one per family)";
  }
  return std::nullopt;
}

std::optional<IpFamily> FamilyOf(AddressType type) {
  switch (type) {
    case AddressType::kIPv4:
      return IpFamily::kV4;
    case AddressType::kIPv6:
      return IpFamily::kV6;
    case AddressType::kFQDN:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> ValidateService(const Service& service) {
  if (auto error = ValidateServicePorts(service.ports)) return error;
  if (auto error = ValidateClusterIPs(service.cluster_ips)) return error;
  if (service.session_affinity_client_ip &&
      (service.session_affinity_timeout == 0 ||
       service.session_affinity_timeout > kMaxAffinityTimeoutSeconds)) {
    return "spec.sessionAffinityConfig.clientIP.timeoutSeconds: must be between 1 and " +
           std::to_string(kMaxAffinityTimeoutSeconds) + ", got " +
           std::to_string(service.session_affinity_timeout);
  }
  return std::nullopt;
}

std::optional<std::string> ValidateEndpointSlice(const EndpointSlice& slice) {
  if (std::optional<IpFamily> family = FamilyOf(slice.address_type)) {
    for (size_t i = 0; i < slice.endpoints.size(); ++i) {
      const std::vector<IpAddress>& addresses = slice.endpoints[i].addresses;
      for (size_t j = 0; j < addresses.size(); ++j) {
        if (addresses[j].family() == *family) continue;
        return "endpoints[" + std::to_string(i) + "].addresses[" + std::to_string(j) +
               "]: " + addresses[j].ToString() + " is not an " + std::string(FamilyName(*family)) +
               " address (addressType " + std::string(FamilyName(*family)) + ")";
      }
    }
  }
  for (size_t i = 0; i < slice.ports.size(); ++i) {
    if (slice.ports[i].port == uint16_t{0})
      return "ports[" + std::to_string(i) + "].port: must be between 1 and 65535, got 0";
  }
  return std::nullopt;
}

}  // namespace sluice::model
