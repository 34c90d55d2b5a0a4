// The API's rules for the fields sluice reads, in one place for every wire format: the
// protobuf decoder (proto_objects) applies them to typed fields, with the same
// defaults and the same error text as the JSON decoder (json_objects), so a Service
// decodes to the same model object, or fails the same way, whatever the format.
//
// Each function takes a field's value and the path that names it in errors
// ("spec.ports[1].protocol") and throws DecodeError (k8s/decode_error.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/ip_address.h"
#include "model/objects.h"

namespace sluice::k8s {

// What the API server fills in when a client leaves these out.
inline constexpr uint32_t kDefaultAffinityTimeoutSeconds = 10800;
inline constexpr const char* kDefaultNamespace = "default";

[[noreturn]] void FailField(std::string_view path, std::string_view what);

// "<parent>.<key>", or "<key>" at the top.
std::string ChildPath(std::string_view parent, std::string_view key);
// "<parent>[<index>]".
std::string ElementPath(std::string_view parent, size_t index);

int64_t IntegerInRange(int64_t value, int64_t min, int64_t max, std::string_view path);
uint16_t PortNumber(int64_t value, std::string_view path);  // 0..65535; 0 is validation's call
IpAddress IpField(std::string_view text, std::string_view path);
// A loadBalancerSourceRanges entry; the API server and kube-proxy both tolerate spaces
// around it.
IpPrefix SourceRangeField(std::string_view text, std::string_view path);

// nullopt (absent) is the API's default, TCP.
model::Protocol ProtocolField(std::optional<std::string_view> text, std::string_view path);
// "" is the default: Cluster, ClusterIP, no affinity.
model::TrafficPolicy TrafficPolicyField(std::string_view text, std::string_view path);
model::ServiceType ServiceTypeField(std::string_view text, std::string_view path);
bool ClientIpAffinityField(std::string_view text, std::string_view path);
model::AddressType AddressTypeField(std::string_view text, std::string_view path);

// spec.clusterIP and spec.clusterIPs as the API server keeps them: clusterIPs is
// authoritative and clusterIP mirrors its first entry; old objects and hand-written
// manifests may carry clusterIP only. "None" means headless. `single` is nullopt when
// absent, `plural` empty when absent.
struct TextField {
  std::string text;
  std::string path;
};
void ApplyClusterIPs(const std::optional<TextField>& single, const std::vector<TextField>& plural,
                     model::Service& service);

// A status.loadBalancer.ingress entry whose traffic the node should capture: one with
// an IP, and not ipMode Proxy (the load balancer then delivers to the nodes itself
// and the address must not be captured on the node; kube-proxy skips these too).
bool IngressIsCaptured(std::string_view ip, std::string_view ip_mode);

// Node status.addresses types that are addresses to serve NodePorts on; Hostname
// and the DNS types are names.
enum class NodeAddressUse { kInternal, kExternal, kIgnored };
NodeAddressUse NodeAddressUseOf(std::string_view type);

}  // namespace sluice::k8s
