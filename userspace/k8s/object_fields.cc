#include "k8s/object_fields.h"

#include "k8s/decode_error.h"

namespace sluice::k8s {

void FailField(std::string_view path, std::string_view what) {
  throw DecodeError(path.empty() ? std::string(what) : std::string(path) + ": " + std::string(what));
}

std::string ChildPath(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : std::string(parent) + "." + std::string(key);
}

std::string ElementPath(std::string_view parent, size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

int64_t IntegerInRange(int64_t value, int64_t min, int64_t max, std::string_view path) {
  if (value < min || value > max)
    FailField(path, std::to_string(value) + " is out of range " + std::to_string(min) + ".." +
                        std::to_string(max));
  return value;
}

uint16_t PortNumber(int64_t value, std::string_view path) {
  return static_cast<uint16_t>(IntegerInRange(value, 0, 65535, path));
}

IpAddress IpField(std::string_view text, std::string_view path) {
  std::optional<IpAddress> ip = IpAddress::Parse(text);
  if (!ip) FailField(path, "invalid IP address \"" + std::string(text) + "\"");
  return *ip;
}

IpPrefix SourceRangeField(std::string_view text, std::string_view path) {
  size_t begin = text.find_first_not_of(" \t");
  size_t end = text.find_last_not_of(" \t");
  std::string_view trimmed =
      begin == std::string_view::npos ? std::string_view() : text.substr(begin, end - begin + 1);
  std::optional<IpPrefix> prefix = IpPrefix::Parse(trimmed);
  if (!prefix) FailField(path, "invalid CIDR \"" + std::string(text) + "\"");
  return *prefix;
}

model::Protocol ProtocolField(std::optional<std::string_view> text, std::string_view path) {
  if (!text) return model::Protocol::kTcp;
  std::optional<model::Protocol> protocol = model::ParseProtocol(std::string(*text));
  if (!protocol) FailField(path, "unknown protocol \"" + std::string(*text) + "\"");
  return *protocol;
}

model::TrafficPolicy TrafficPolicyField(std::string_view text, std::string_view path) {
  if (text == "Cluster" || text.empty()) return model::TrafficPolicy::kCluster;
  if (text == "Local") return model::TrafficPolicy::kLocal;
  FailField(path, "unknown traffic policy \"" + std::string(text) + "\" (expected Cluster or Local)");
}

model::ServiceType ServiceTypeField(std::string_view text, std::string_view path) {
  if (text == "ClusterIP" || text.empty()) return model::ServiceType::kClusterIP;
  if (text == "NodePort") return model::ServiceType::kNodePort;
  if (text == "LoadBalancer") return model::ServiceType::kLoadBalancer;
  if (text == "ExternalName") return model::ServiceType::kExternalName;
  FailField(path, "unknown Service type \"" + std::string(text) + "\"");
}

bool ClientIpAffinityField(std::string_view text, std::string_view path) {
  if (text == "None" || text.empty()) return false;
  if (text == "ClientIP") return true;
  FailField(path, "unknown session affinity \"" + std::string(text) + "\"");
}

model::AddressType AddressTypeField(std::string_view text, std::string_view path) {
  if (text == "IPv4") return model::AddressType::kIPv4;
  if (text == "IPv6") return model::AddressType::kIPv6;
  if (text == "FQDN") return model::AddressType::kFQDN;
  FailField(path, "unknown address type \"" + std::string(text) + "\" (expected IPv4, IPv6 or FQDN)");
}

void ApplyClusterIPs(const std::optional<TextField>& single, const std::vector<TextField>& plural,
                     model::Service& service) {
  std::vector<TextField> entries = plural;
  if (entries.empty() && single && !single->text.empty()) entries.push_back(*single);
  if (entries.empty()) return;  // not allocated yet, or ExternalName
  if (single && !plural.empty() && !single->text.empty() && single->text != entries.front().text) {
    FailField(single->path, "\"" + single->text + "\" differs from spec.clusterIPs[0] \"" +
                                entries.front().text + "\"");
  }
  if (entries.front().text == "None") {
    if (entries.size() > 1) FailField(entries[1].path, "\"None\" must be the only clusterIP");
    service.headless = true;
    return;
  }
  for (const TextField& entry : entries) service.cluster_ips.push_back(IpField(entry.text, entry.path));
}

bool IngressIsCaptured(std::string_view ip, std::string_view ip_mode) {
  return !ip.empty() && ip_mode != "Proxy";
}

NodeAddressUse NodeAddressUseOf(std::string_view type) {
  if (type == "InternalIP") return NodeAddressUse::kInternal;
  if (type == "ExternalIP") return NodeAddressUse::kExternal;
  return NodeAddressUse::kIgnored;
}

}  // namespace sluice::k8s
