// The Kubernetes objects sluice reads, reduced to the fields it uses. Decoders (YAML,
// JSON, protobuf) fill these; everything downstream works on them only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/ip_address.h"

namespace sluice::model {

enum class Protocol : uint8_t { kTcp, kUdp, kSctp };

enum class ServiceType : uint8_t { kClusterIP, kNodePort, kLoadBalancer, kExternalName };

enum class TrafficPolicy : uint8_t { kCluster, kLocal };

using Labels = std::map<std::string, std::string>;

// Identity of an object: namespace/name.
struct ObjectName {
  std::string ns;
  std::string name;

  std::string ToString() const { return ns + "/" + name; }
  auto operator<=>(const ObjectName&) const = default;
};

struct ObjectMeta {
  ObjectName id;
  std::string resource_version;
  std::string uid;
  Labels labels;
};

struct ServicePort {
  std::string name;
  Protocol protocol = Protocol::kTcp;
  uint16_t port = 0;
  uint16_t node_port = 0;  // 0 when none is allocated
  // targetPort is either a number or a name; kube-proxy ignores it and takes the port
  // from the EndpointSlice port of the same name, and so does sluice.
  uint16_t target_port_number = 0;
  std::string target_port_name;

  auto operator<=>(const ServicePort&) const = default;
};

struct Service {
  ObjectMeta meta;
  ServiceType type = ServiceType::kClusterIP;
  // spec.clusterIPs (or spec.clusterIP when clusterIPs is absent); "None" makes the
  // Service headless and leaves this empty.
  std::vector<IpAddress> cluster_ips;
  bool headless = false;
  std::vector<ServicePort> ports;
  std::vector<IpAddress> external_ips;
  std::vector<IpAddress> load_balancer_ips;  // status.loadBalancer.ingress[].ip
  std::vector<IpPrefix> load_balancer_source_ranges;
  bool session_affinity_client_ip = false;
  uint32_t session_affinity_timeout = 0;  // seconds; 10800 when ClientIP and unset
  TrafficPolicy external_traffic_policy = TrafficPolicy::kCluster;
  TrafficPolicy internal_traffic_policy = TrafficPolicy::kCluster;
  uint16_t health_check_node_port = 0;
};

enum class AddressType : uint8_t { kIPv4, kIPv6, kFQDN };

struct EndpointConditions {
  // Absent conditions keep the API's meaning: nil ready/serving is true, nil
  // terminating is false (see Effective* below).
  std::optional<bool> ready;
  std::optional<bool> serving;
  std::optional<bool> terminating;

  bool EffectiveReady() const { return ready.value_or(true); }
  bool EffectiveServing() const { return serving.value_or(true); }
  bool EffectiveTerminating() const { return terminating.value_or(false); }
  auto operator<=>(const EndpointConditions&) const = default;
};

struct Endpoint {
  std::vector<IpAddress> addresses;  // for IPv4/IPv6 slices
  EndpointConditions conditions;
  std::string node_name;
  std::string zone;
  std::vector<std::string> hint_zones;
  auto operator<=>(const Endpoint&) const = default;
};

struct EndpointPort {
  std::string name;  // "" when unnamed
  Protocol protocol = Protocol::kTcp;
  std::optional<uint16_t> port;  // a port with no number is skipped
  auto operator<=>(const EndpointPort&) const = default;
};

struct EndpointSlice {
  ObjectMeta meta;
  std::string service_name;  // label kubernetes.io/service-name
  AddressType address_type = AddressType::kIPv4;
  std::vector<Endpoint> endpoints;
  std::vector<EndpointPort> ports;

  ObjectName ServiceId() const { return {meta.id.ns, service_name}; }
};

struct Node {
  ObjectMeta meta;
  std::vector<IpAddress> internal_ips;
  std::vector<IpAddress> external_ips;
};

// The label kube-proxy uses to let another proxy own a Service.
inline constexpr const char* kServiceProxyNameLabel = "service.kubernetes.io/service-proxy-name";
inline constexpr const char* kHeadlessLabel = "service.kubernetes.io/headless";
inline constexpr const char* kServiceNameLabel = "kubernetes.io/service-name";

const char* ProtocolName(Protocol protocol);                  // "TCP"
std::optional<Protocol> ParseProtocol(const std::string& s);  // "TCP"/"UDP"/"SCTP"
const char* ServiceTypeName(ServiceType type);

}  // namespace sluice::model
