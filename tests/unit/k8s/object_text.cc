#include "object_text.h"

#include <sstream>

namespace sluice::k8s::testing {

namespace {

template <typename T>
std::string Join(const std::vector<T>& values) {
  std::string text;
  for (const T& value : values) text += (text.empty() ? "" : ",") + value.ToString();
  return "[" + text + "]";
}

std::string Join(const std::vector<std::string>& values) {
  std::string text;
  for (const std::string& value : values) text += (text.empty() ? "" : ",") + value;
  return "[" + text + "]";
}

std::string Optional(const std::optional<bool>& value) {
  return value ? (*value ? "true" : "false") : "unset";
}

void Meta(std::ostream& out, const model::ObjectMeta& meta) {
  out << meta.id.ToString() << " rv=" << meta.resource_version << " uid=" << meta.uid << " labels={";
  for (const auto& [key, value] : meta.labels) out << key << "=" << value << ";";
  out << "}\n";
}

void Describe(std::ostream& out, const model::Service& service) {
  out << "Service ";
  Meta(out, service.meta);
  out << " type=" << model::ServiceTypeName(service.type) << " clusterIPs=" << Join(service.cluster_ips)
      << " headless=" << service.headless << "\n";
  for (const model::ServicePort& port : service.ports) {
    out << " port name=" << port.name << " " << model::ProtocolName(port.protocol) << " " << port.port
        << " nodePort=" << port.node_port << " target=" << port.target_port_number << "/"
        << port.target_port_name << "\n";
  }
  out << " externalIPs=" << Join(service.external_ips) << " lbIPs=" << Join(service.load_balancer_ips)
      << " sourceRanges=" << Join(service.load_balancer_source_ranges) << "\n"
      << " affinity=" << service.session_affinity_client_ip << "/" << service.session_affinity_timeout
      << " etp=" << static_cast<int>(service.external_traffic_policy)
      << " itp=" << static_cast<int>(service.internal_traffic_policy)
      << " hcnp=" << service.health_check_node_port << "\n";
}

void Describe(std::ostream& out, const model::EndpointSlice& slice) {
  out << "EndpointSlice ";
  Meta(out, slice.meta);
  out << " service=" << slice.service_name << " addressType=" << static_cast<int>(slice.address_type)
      << "\n";
  for (const model::Endpoint& endpoint : slice.endpoints) {
    out << " endpoint " << Join(endpoint.addresses) << " ready=" << Optional(endpoint.conditions.ready)
        << " serving=" << Optional(endpoint.conditions.serving)
        << " terminating=" << Optional(endpoint.conditions.terminating) << " node=" << endpoint.node_name
        << " zone=" << endpoint.zone << " hints=" << Join(endpoint.hint_zones) << "\n";
  }
  for (const model::EndpointPort& port : slice.ports) {
    out << " port name=" << port.name << " " << model::ProtocolName(port.protocol) << " "
        << (port.port ? std::to_string(*port.port) : "unset") << "\n";
  }
}

void Describe(std::ostream& out, const model::Node& node) {
  out << "Node ";
  Meta(out, node.meta);
  out << " internal=" << Join(node.internal_ips) << " external=" << Join(node.external_ips) << "\n";
}

const char* TypeName(WatchEventType type) {
  switch (type) {
    case WatchEventType::kAdded:
      return "ADDED";
    case WatchEventType::kModified:
      return "MODIFIED";
    case WatchEventType::kDeleted:
      return "DELETED";
    case WatchEventType::kBookmark:
      return "BOOKMARK";
    case WatchEventType::kError:
      return "ERROR";
  }
  return "?";
}

}  // namespace

std::string ObjectText(const Object& object) {
  std::ostringstream out;
  std::visit([&out](const auto& typed) { Describe(out, typed); }, object);
  return out.str();
}

std::string EventText(const WatchEvent& event) {
  std::ostringstream out;
  out << TypeName(event.type) << " name=" << (event.name ? event.name->ToString() : "none")
      << " rv=" << event.resource_version;
  if (event.status)
    out << " status=" << event.status->code << "/" << event.status->reason << "/" << event.status->message;
  out << "\n" << (event.object ? ObjectText(*event.object) : std::string("(no object)\n"));
  return out.str();
}

std::vector<std::string> EventTexts(const std::vector<WatchEvent>& events) {
  std::vector<std::string> texts;
  for (const WatchEvent& event : events) texts.push_back(EventText(event));
  return texts;
}

std::string FailureText(const ObjectFailure& failure) {
  return (failure.name ? failure.name->ToString() : std::string("(unnamed)")) + ": " + failure.reason;
}

}  // namespace sluice::k8s::testing
