#include "k8s/json_objects.h"

#include <cstdint>
#include <string>

#include "k8s/json_field.h"

namespace sluice::k8s {

namespace {

using model::Protocol;
using model::TrafficPolicy;

// What the API server fills in when a client leaves these out.
constexpr uint32_t kDefaultAffinityTimeoutSeconds = 10800;
constexpr const char* kDefaultNamespace = "default";

void ExpectKind(const JsonField& object, std::string_view kind) {
  std::optional<JsonField> field = object.Find("kind");
  if (field && field->AsString() != kind)
    field->Fail("expected \"" + std::string(kind) + "\", got \"" + field->AsString() + "\"");
}

model::ObjectMeta DecodeMeta(const JsonField& object, bool namespaced) {
  JsonField metadata = object.Require("metadata");
  model::ObjectMeta meta;
  meta.id.name = metadata.Require("name").AsString();
  if (meta.id.name.empty()) metadata.Require("name").Fail("must not be empty");
  if (namespaced) meta.id.ns = metadata.StringOr("namespace", kDefaultNamespace);
  if (meta.id.ns.empty() && namespaced) meta.id.ns = kDefaultNamespace;
  meta.resource_version = metadata.StringOr("resourceVersion", "");
  meta.uid = metadata.StringOr("uid", "");
  if (std::optional<JsonField> labels = metadata.Find("labels")) {
    if (!labels->value().is_object()) labels->Fail("expected an object");
    for (const auto& [key, value] : labels->value().items()) {
      JsonField label(value, labels->path() + "[" + key + "]");
      meta.labels[key] = label.AsString();
    }
  }
  return meta;
}

Protocol DecodeProtocol(const JsonField& port) {
  std::optional<JsonField> field = port.Find("protocol");
  if (!field) return Protocol::kTcp;  // the API's default
  std::string text = field->AsString();
  std::optional<Protocol> protocol = model::ParseProtocol(text);
  if (!protocol) field->Fail("unknown protocol \"" + text + "\"");
  return *protocol;
}

std::vector<IpAddress> DecodeIps(const JsonField& parent, std::string_view key) {
  std::vector<IpAddress> ips;
  if (std::optional<JsonField> list = parent.Find(key)) {
    for (const JsonField& element : list->Elements()) ips.push_back(element.AsIp());
  }
  return ips;
}

TrafficPolicy DecodeTrafficPolicy(const JsonField& spec, std::string_view key) {
  std::optional<JsonField> field = spec.Find(key);
  if (!field) return TrafficPolicy::kCluster;
  std::string text = field->AsString();
  if (text == "Cluster" || text.empty()) return TrafficPolicy::kCluster;
  if (text == "Local") return TrafficPolicy::kLocal;
  field->Fail("unknown traffic policy \"" + text + "\" (expected Cluster or Local)");
}

model::ServiceType DecodeServiceType(const JsonField& spec) {
  std::optional<JsonField> field = spec.Find("type");
  if (!field) return model::ServiceType::kClusterIP;
  std::string text = field->AsString();
  if (text == "ClusterIP" || text.empty()) return model::ServiceType::kClusterIP;
  if (text == "NodePort") return model::ServiceType::kNodePort;
  if (text == "LoadBalancer") return model::ServiceType::kLoadBalancer;
  if (text == "ExternalName") return model::ServiceType::kExternalName;
  field->Fail("unknown Service type \"" + text + "\"");
}

model::ServicePort DecodeServicePort(const JsonField& field) {
  model::ServicePort port;
  port.name = field.StringOr("name", "");
  port.protocol = DecodeProtocol(field);
  port.port = field.Require("port").AsPort();
  if (std::optional<JsonField> node_port = field.Find("nodePort"))
    port.node_port = node_port->AsPort();
  // targetPort is an IntOrString; absent, the API server defaults it to port.
  std::optional<JsonField> target = field.Find("targetPort");
  if (!target) {
    port.target_port_number = port.port;
  } else if (target->value().is_string()) {
    port.target_port_name = target->AsString();
  } else if (target->value().is_number_integer()) {
    port.target_port_number = target->AsPort();
  } else {
    target->Fail(std::string("expected an integer or a string, got ") +
                 target->value().type_name());
  }
  return port;
}

// spec.clusterIPs is authoritative (spec.clusterIP mirrors its first entry); old
// objects and hand-written manifests may carry clusterIP only. "None" means headless.
void DecodeClusterIPs(const JsonField& spec, model::Service& service) {
  std::optional<JsonField> single = spec.Find("clusterIP");
  std::optional<JsonField> plural = spec.Find("clusterIPs");
  std::vector<JsonField> entries = plural ? plural->Elements() : std::vector<JsonField>{};
  if (entries.empty() && single && !single->AsString().empty()) entries.push_back(*single);
  if (entries.empty()) return;  // not allocated yet, or ExternalName
  if (single && plural && !single->AsString().empty() &&
      single->AsString() != entries.front().AsString()) {
    single->Fail("\"" + single->AsString() + "\" differs from spec.clusterIPs[0] \"" +
                 entries.front().AsString() + "\"");
  }
  if (entries.front().AsString() == "None") {
    if (entries.size() > 1) entries[1].Fail("\"None\" must be the only clusterIP");
    service.headless = true;
    return;
  }
  for (const JsonField& entry : entries) service.cluster_ips.push_back(entry.AsIp());
}

void DecodeSessionAffinity(const JsonField& spec, model::Service& service) {
  std::optional<JsonField> field = spec.Find("sessionAffinity");
  std::string affinity = field ? field->AsString() : "None";
  if (affinity == "None" || affinity.empty()) return;
  if (affinity != "ClientIP") field->Fail("unknown session affinity \"" + affinity + "\"");
  service.session_affinity_client_ip = true;
  service.session_affinity_timeout = kDefaultAffinityTimeoutSeconds;
  std::optional<JsonField> config = spec.Find("sessionAffinityConfig");
  std::optional<JsonField> client_ip = config ? config->Find("clientIP") : std::nullopt;
  std::optional<JsonField> timeout = client_ip ? client_ip->Find("timeoutSeconds") : std::nullopt;
  if (timeout)
    service.session_affinity_timeout = static_cast<uint32_t>(timeout->AsInteger(0, UINT32_MAX));
}

void DecodeLoadBalancerStatus(const JsonField& object, model::Service& service) {
  std::optional<JsonField> status = object.Find("status");
  std::optional<JsonField> lb = status ? status->Find("loadBalancer") : std::nullopt;
  std::optional<JsonField> ingress = lb ? lb->Find("ingress") : std::nullopt;
  if (!ingress) return;
  for (const JsonField& entry : ingress->Elements()) {
    std::optional<JsonField> ip = entry.Find("ip");
    if (!ip || ip->AsString().empty()) continue;  // hostname-only: nothing to program
    // ipMode Proxy: the load balancer delivers to the nodes itself and the address
    // must not be captured on the node (kube-proxy skips these the same way).
    if (entry.StringOr("ipMode", "VIP") == "Proxy") continue;
    service.load_balancer_ips.push_back(ip->AsIp());
  }
}

model::Endpoint DecodeEndpoint(const JsonField& field, model::AddressType type) {
  model::Endpoint endpoint;
  JsonField addresses = field.Require("addresses");
  if (type == model::AddressType::kFQDN) {
    addresses.Elements();  // checked for shape only: names are not proxied
  } else {
    for (const JsonField& address : addresses.Elements())
      endpoint.addresses.push_back(address.AsIp());
  }
  if (std::optional<JsonField> conditions = field.Find("conditions")) {
    endpoint.conditions.ready = conditions->OptionalBool("ready");
    endpoint.conditions.serving = conditions->OptionalBool("serving");
    endpoint.conditions.terminating = conditions->OptionalBool("terminating");
  }
  endpoint.node_name = field.StringOr("nodeName", "");
  endpoint.zone = field.StringOr("zone", "");
  std::optional<JsonField> hints = field.Find("hints");
  std::optional<JsonField> zones = hints ? hints->Find("forZones") : std::nullopt;
  if (zones) {
    for (const JsonField& zone : zones->Elements())
      endpoint.hint_zones.push_back(zone.Require("name").AsString());
  }
  return endpoint;
}

model::EndpointPort DecodeEndpointPort(const JsonField& field) {
  model::EndpointPort port;
  port.name = field.StringOr("name", "");
  port.protocol = DecodeProtocol(field);
  if (std::optional<JsonField> number = field.Find("port")) port.port = number->AsPort();
  return port;
}

model::AddressType DecodeAddressType(const JsonField& object) {
  JsonField field = object.Require("addressType");
  std::string text = field.AsString();
  if (text == "IPv4") return model::AddressType::kIPv4;
  if (text == "IPv6") return model::AddressType::kIPv6;
  if (text == "FQDN") return model::AddressType::kFQDN;
  field.Fail("unknown address type \"" + text + "\" (expected IPv4, IPv6 or FQDN)");
}

}  // namespace

model::Service ServiceFromJson(const nlohmann::json& json) {
  JsonField object(json, "");
  ExpectKind(object, "Service");
  model::Service service;
  service.meta = DecodeMeta(object, true);
  JsonField spec = object.Require("spec");
  service.type = DecodeServiceType(spec);
  DecodeClusterIPs(spec, service);
  if (std::optional<JsonField> ports = spec.Find("ports")) {
    for (const JsonField& port : ports->Elements())
      service.ports.push_back(DecodeServicePort(port));
  }
  service.external_ips = DecodeIps(spec, "externalIPs");
  DecodeSessionAffinity(spec, service);
  service.external_traffic_policy = DecodeTrafficPolicy(spec, "externalTrafficPolicy");
  service.internal_traffic_policy = DecodeTrafficPolicy(spec, "internalTrafficPolicy");
  if (std::optional<JsonField> port = spec.Find("healthCheckNodePort"))
    service.health_check_node_port = port->AsPort();
  if (std::optional<JsonField> ranges = spec.Find("loadBalancerSourceRanges")) {
    for (const JsonField& range : ranges->Elements()) {
      // The API server and kube-proxy both tolerate spaces around a range.
      std::string text = range.AsString();
      size_t begin = text.find_first_not_of(" \t");
      size_t end = text.find_last_not_of(" \t");
      std::string trimmed = begin == std::string::npos ? "" : text.substr(begin, end - begin + 1);
      std::optional<IpPrefix> prefix = IpPrefix::Parse(trimmed);
      if (!prefix) range.Fail("invalid CIDR \"" + text + "\"");
      service.load_balancer_source_ranges.push_back(*prefix);
    }
  }
  DecodeLoadBalancerStatus(object, service);
  return service;
}

model::EndpointSlice EndpointSliceFromJson(const nlohmann::json& json) {
  JsonField object(json, "");
  ExpectKind(object, "EndpointSlice");
  model::EndpointSlice slice;
  slice.meta = DecodeMeta(object, true);
  if (auto it = slice.meta.labels.find(model::kServiceNameLabel); it != slice.meta.labels.end())
    slice.service_name = it->second;
  slice.address_type = DecodeAddressType(object);
  if (std::optional<JsonField> endpoints = object.Find("endpoints")) {
    for (const JsonField& endpoint : endpoints->Elements())
      slice.endpoints.push_back(DecodeEndpoint(endpoint, slice.address_type));
  }
  if (std::optional<JsonField> ports = object.Find("ports")) {
    for (const JsonField& port : ports->Elements()) slice.ports.push_back(DecodeEndpointPort(port));
  }
  return slice;
}

model::Node NodeFromJson(const nlohmann::json& json) {
  JsonField object(json, "");
  ExpectKind(object, "Node");
  model::Node node;
  node.meta = DecodeMeta(object, false);
  std::optional<JsonField> status = object.Find("status");
  std::optional<JsonField> addresses = status ? status->Find("addresses") : std::nullopt;
  if (!addresses) return node;
  for (const JsonField& address : addresses->Elements()) {
    std::string type = address.Require("type").AsString();
    // Hostname and the DNS types are names, not addresses to serve NodePorts on.
    if (type == "InternalIP")
      node.internal_ips.push_back(address.Require("address").AsIp());
    else if (type == "ExternalIP")
      node.external_ips.push_back(address.Require("address").AsIp());
  }
  return node;
}

}  // namespace sluice::k8s
