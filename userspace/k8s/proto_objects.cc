#include "k8s/proto_objects.h"

#include <optional>
#include <string>

#include "k8s/object_fields.h"

namespace sluice::k8s {

namespace {

std::optional<std::string_view> Present(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return text;
}

model::ObjectMeta DecodeMeta(bool has_metadata, const metav1::ObjectMeta& metadata, bool namespaced) {
  if (!has_metadata) FailField("metadata", "required");
  model::ObjectMeta meta;
  meta.id.name = metadata.name();
  if (meta.id.name.empty()) FailField("metadata.name", "required");
  if (namespaced) meta.id.ns = metadata.namespace_().empty() ? kDefaultNamespace : metadata.namespace_();
  meta.resource_version = metadata.resourceversion();
  meta.uid = metadata.uid();
  meta.labels = model::Labels(metadata.labels().begin(), metadata.labels().end());
  return meta;
}

model::ServicePort DecodeServicePort(const corev1::ServicePort& field, const std::string& path) {
  model::ServicePort port;
  port.name = field.name();
  port.protocol = ProtocolField(Present(field.protocol()), ChildPath(path, "protocol"));
  port.port = PortNumber(field.port(), ChildPath(path, "port"));
  port.node_port = PortNumber(field.nodeport(), ChildPath(path, "nodePort"));
  // targetPort is an IntOrString; absent, the API server defaults it to port.
  if (!field.has_targetport()) {
    port.target_port_number = port.port;
    return port;
  }
  const auto& target = field.targetport();
  std::string target_path = ChildPath(path, "targetPort");
  if (target.type() == 1) {
    port.target_port_name = target.strval();
  } else if (target.type() == 0) {
    port.target_port_number = PortNumber(target.intval(), target_path);
  } else {
    FailField(target_path, "expected an integer or a string, got IntOrString type " +
                               std::to_string(target.type()));
  }
  return port;
}

void DecodeClusterIPs(const corev1::ServiceSpec& spec, model::Service& service) {
  std::optional<TextField> single;
  if (!spec.clusterip().empty()) single = TextField{spec.clusterip(), "spec.clusterIP"};
  std::vector<TextField> plural;
  for (int i = 0; i < spec.clusterips_size(); ++i)
    plural.push_back({spec.clusterips(i), ElementPath("spec.clusterIPs", i)});
  ApplyClusterIPs(single, plural, service);
}

void DecodeSessionAffinity(const corev1::ServiceSpec& spec, model::Service& service) {
  if (!ClientIpAffinityField(spec.sessionaffinity(), "spec.sessionAffinity")) return;
  service.session_affinity_client_ip = true;
  service.session_affinity_timeout = kDefaultAffinityTimeoutSeconds;
  const auto& client_ip = spec.sessionaffinityconfig().clientip();
  if (spec.has_sessionaffinityconfig() && spec.sessionaffinityconfig().has_clientip() &&
      client_ip.has_timeoutseconds()) {
    service.session_affinity_timeout = static_cast<uint32_t>(
        IntegerInRange(client_ip.timeoutseconds(), 0, UINT32_MAX,
                       "spec.sessionAffinityConfig.clientIP.timeoutSeconds"));
  }
}

void DecodeLoadBalancerStatus(const corev1::Service& object, model::Service& service) {
  const auto& ingress = object.status().loadbalancer().ingress();
  for (int i = 0; i < ingress.size(); ++i) {
    if (!IngressIsCaptured(ingress[i].ip(), ingress[i].ipmode())) continue;
    service.load_balancer_ips.push_back(
        IpField(ingress[i].ip(), ElementPath("status.loadBalancer.ingress", i) + ".ip"));
  }
}

model::Endpoint DecodeEndpoint(const discoveryv1::Endpoint& field, model::AddressType type,
                               const std::string& path) {
  model::Endpoint endpoint;
  if (type != model::AddressType::kFQDN) {  // names are not proxied
    for (int i = 0; i < field.addresses_size(); ++i)
      endpoint.addresses.push_back(
          IpField(field.addresses(i), ElementPath(ChildPath(path, "addresses"), i)));
  }
  const auto& conditions = field.conditions();
  if (conditions.has_ready()) endpoint.conditions.ready = conditions.ready();
  if (conditions.has_serving()) endpoint.conditions.serving = conditions.serving();
  if (conditions.has_terminating()) endpoint.conditions.terminating = conditions.terminating();
  endpoint.node_name = field.nodename();
  endpoint.zone = field.zone();
  for (const auto& zone : field.hints().forzones()) endpoint.hint_zones.push_back(zone.name());
  return endpoint;
}

model::EndpointPort DecodeEndpointPort(const discoveryv1::EndpointPort& field, const std::string& path) {
  model::EndpointPort port;
  port.name = field.name();
  port.protocol = ProtocolField(Present(field.protocol()), ChildPath(path, "protocol"));
  if (field.has_port()) port.port = PortNumber(field.port(), ChildPath(path, "port"));
  return port;
}

}  // namespace

model::Service ServiceFromProto(const corev1::Service& object) {
  model::Service service;
  service.meta = DecodeMeta(object.has_metadata(), object.metadata(), true);
  if (!object.has_spec()) FailField("spec", "required");
  const corev1::ServiceSpec& spec = object.spec();
  service.type = ServiceTypeField(spec.type(), "spec.type");
  DecodeClusterIPs(spec, service);
  for (int i = 0; i < spec.ports_size(); ++i)
    service.ports.push_back(DecodeServicePort(spec.ports(i), ElementPath("spec.ports", i)));
  for (int i = 0; i < spec.externalips_size(); ++i)
    service.external_ips.push_back(IpField(spec.externalips(i), ElementPath("spec.externalIPs", i)));
  DecodeSessionAffinity(spec, service);
  service.external_traffic_policy =
      TrafficPolicyField(spec.externaltrafficpolicy(), "spec.externalTrafficPolicy");
  service.internal_traffic_policy =
      TrafficPolicyField(spec.internaltrafficpolicy(), "spec.internalTrafficPolicy");
  service.health_check_node_port =
      PortNumber(spec.healthchecknodeport(), "spec.healthCheckNodePort");
  for (int i = 0; i < spec.loadbalancersourceranges_size(); ++i) {
    service.load_balancer_source_ranges.push_back(SourceRangeField(
        spec.loadbalancersourceranges(i), ElementPath("spec.loadBalancerSourceRanges", i)));
  }
  DecodeLoadBalancerStatus(object, service);
  return service;
}

model::EndpointSlice EndpointSliceFromProto(const discoveryv1::EndpointSlice& object) {
  model::EndpointSlice slice;
  slice.meta = DecodeMeta(object.has_metadata(), object.metadata(), true);
  if (auto it = slice.meta.labels.find(model::kServiceNameLabel); it != slice.meta.labels.end())
    slice.service_name = it->second;
  if (object.addresstype().empty()) FailField("addressType", "required");
  slice.address_type = AddressTypeField(object.addresstype(), "addressType");
  for (int i = 0; i < object.endpoints_size(); ++i) {
    slice.endpoints.push_back(
        DecodeEndpoint(object.endpoints(i), slice.address_type, ElementPath("endpoints", i)));
  }
  for (int i = 0; i < object.ports_size(); ++i)
    slice.ports.push_back(DecodeEndpointPort(object.ports(i), ElementPath("ports", i)));
  return slice;
}

model::Node NodeFromProto(const corev1::Node& object) {
  model::Node node;
  node.meta = DecodeMeta(object.has_metadata(), object.metadata(), false);
  const auto& addresses = object.status().addresses();
  for (int i = 0; i < addresses.size(); ++i) {
    NodeAddressUse use = NodeAddressUseOf(addresses[i].type());
    if (use == NodeAddressUse::kIgnored) continue;
    IpAddress ip = IpField(addresses[i].address(), ElementPath("status.addresses", i) + ".address");
    (use == NodeAddressUse::kInternal ? node.internal_ips : node.external_ips).push_back(ip);
  }
  return node;
}

}  // namespace sluice::k8s
