#include "fake_apiserver/object_defaults.h"

#include <cstdio>
#include <stdexcept>
#include <string>

namespace sluice::fake_apiserver {
namespace {

constexpr int kNodePortFirst = 30000;
constexpr int kNodePortLast = 32767;
constexpr uint32_t kClusterIpCount = 4095;  // 198.19.240.1-198.19.255.255, fd00:19::1001-1fff

bool IsIpv6(const nlohmann::json& ip) {
  return ip.is_string() && ip.get<std::string>().find(':') != std::string::npos;
}

void SetIfAbsent(nlohmann::json& object, const char* key, nlohmann::json value) {
  if (!object.contains(key) || object[key].is_null()) object[key] = std::move(value);
}

}  // namespace

nlohmann::json ObjectDefaulter::Apply(nlohmann::json object, const nlohmann::json* existing) {
  if (!object.is_object()) return object;
  std::lock_guard lock(mutex_);
  std::string kind = object.value("kind", "");
  if (kind == "Service" && existing && existing->contains("spec") && (*existing)["spec"].is_object() &&
      object.contains("spec") && object["spec"].is_object()) {
    KeepAllocated(object["spec"], (*existing)["spec"]);
  }
  if (kind == "Service") DefaultService(object);
  if (kind == "EndpointSlice") DefaultEndpointSlice(object);
  return object;
}

void ObjectDefaulter::KeepAllocated(nlohmann::json& spec, const nlohmann::json& old) {
  if (!spec.contains("clusterIP") && !spec.contains("clusterIPs")) {
    for (const char* key : {"clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"}) {
      if (old.contains(key) && !spec.contains(key)) spec[key] = old[key];
    }
  }
  if (!spec.contains("healthCheckNodePort") && old.contains("healthCheckNodePort")) {
    spec["healthCheckNodePort"] = old["healthCheckNodePort"];
  }
  if (!spec.contains("ports") || !spec["ports"].is_array() || !old.contains("ports") ||
      !old["ports"].is_array()) {
    return;
  }
  // A port keeps its node port when one with the same number and protocol had one.
  for (auto& port : spec["ports"]) {
    if (!port.is_object() || port.contains("nodePort")) continue;
    for (const auto& old_port : old["ports"]) {
      if (old_port.is_object() && old_port.contains("nodePort") &&
          old_port.value("port", nlohmann::json()) == port.value("port", nlohmann::json()) &&
          old_port.value("protocol", nlohmann::json("TCP")) == port.value("protocol", nlohmann::json("TCP"))) {
        port["nodePort"] = old_port["nodePort"];
        break;
      }
    }
  }
}

std::string ObjectDefaulter::NextClusterIp(bool ipv6) {
  uint32_t& next = ipv6 ? next_ipv6_ : next_ipv4_;
  if (next >= kClusterIpCount) throw std::runtime_error("fake API server: cluster IP range exhausted");
  uint32_t n = ++next;  // from the second address: ".0" reads like a network
  char text[48];
  if (ipv6) {
    std::snprintf(text, sizeof text, "fd00:19::%x", 0x1000 + n);
  } else {
    std::snprintf(text, sizeof text, "198.19.%u.%u", 240 + n / 256, n % 256);
  }
  return text;
}

int ObjectDefaulter::NextNodePort() {
  for (int port = kNodePortFirst; port <= kNodePortLast; ++port) {
    if (node_ports_.insert(port).second) return port;
  }
  throw std::runtime_error("fake API server: node port range exhausted");
}

void ObjectDefaulter::DefaultService(nlohmann::json& service) {
  SetIfAbsent(service, "spec", nlohmann::json::object());
  SetIfAbsent(service, "status", {{"loadBalancer", nlohmann::json::object()}});
  nlohmann::json& spec = service["spec"];
  if (!spec.is_object()) return;
  SetIfAbsent(spec, "type", "ClusterIP");
  SetIfAbsent(spec, "sessionAffinity", "None");
  std::string type = spec["type"].is_string() ? spec["type"].get<std::string>() : "";
  if (spec["sessionAffinity"] == "ClientIP") {
    SetIfAbsent(spec, "sessionAffinityConfig", {{"clientIP", {{"timeoutSeconds", 10800}}}});
  }
  if (type == "ExternalName") return;

  bool node_ports = type == "NodePort" || type == "LoadBalancer";
  if (spec.contains("ports") && spec["ports"].is_array()) {
    for (auto& port : spec["ports"]) {
      if (!port.is_object()) continue;
      SetIfAbsent(port, "protocol", "TCP");
      if (port.contains("port")) SetIfAbsent(port, "targetPort", port["port"]);
      if (port.contains("nodePort") && port["nodePort"].is_number_integer()) {
        node_ports_.insert(port["nodePort"].get<int>());
      } else if (node_ports) {
        port["nodePort"] = NextNodePort();
      }
    }
  }

  // Cluster IPs, families and the policy, each derived from what is given.
  if (!spec.contains("clusterIP") || !spec["clusterIP"].is_string()) {
    if (spec.contains("clusterIPs") && spec["clusterIPs"].is_array() && !spec["clusterIPs"].empty()) {
      spec["clusterIP"] = spec["clusterIPs"][0];
    } else {
      std::vector<std::string> families;
      if (spec.contains("ipFamilies") && spec["ipFamilies"].is_array()) {
        for (const auto& f : spec["ipFamilies"]) {
          if (f.is_string()) families.push_back(f.get<std::string>());
        }
      }
      if (families.empty()) families.push_back("IPv4");
      std::string policy = spec.contains("ipFamilyPolicy") && spec["ipFamilyPolicy"].is_string()
                               ? spec["ipFamilyPolicy"].get<std::string>()
                               : "SingleStack";
      if (families.size() == 1 && policy != "SingleStack") {
        families.push_back(families[0] == "IPv4" ? "IPv6" : "IPv4");
      }
      nlohmann::json ips = nlohmann::json::array();
      for (const auto& f : families) ips.push_back(NextClusterIp(f == "IPv6"));
      spec["clusterIP"] = ips[0];
      spec["clusterIPs"] = ips;
      spec["ipFamilies"] = families;
    }
  }
  SetIfAbsent(spec, "clusterIPs", nlohmann::json::array({spec["clusterIP"]}));
  if (!spec.contains("ipFamilies")) {
    nlohmann::json families = nlohmann::json::array();
    for (const auto& ip : spec["clusterIPs"]) families.push_back(IsIpv6(ip) ? "IPv6" : "IPv4");
    spec["ipFamilies"] = families;
  }
  size_t family_count = spec["ipFamilies"].is_array() ? spec["ipFamilies"].size() : 1;
  SetIfAbsent(spec, "ipFamilyPolicy", family_count > 1 ? "RequireDualStack" : "SingleStack");
  SetIfAbsent(spec, "internalTrafficPolicy", "Cluster");
  if (node_ports) {
    SetIfAbsent(spec, "externalTrafficPolicy", "Cluster");
    if (type == "LoadBalancer") {
      SetIfAbsent(spec, "allocateLoadBalancerNodePorts", true);
      if (spec["externalTrafficPolicy"] == "Local") {
        if (spec.contains("healthCheckNodePort") && spec["healthCheckNodePort"].is_number_integer()) {
          node_ports_.insert(spec["healthCheckNodePort"].get<int>());
        } else {
          spec["healthCheckNodePort"] = NextNodePort();
        }
      }
    }
  }
}

void ObjectDefaulter::DefaultEndpointSlice(nlohmann::json& slice) {
  if (slice.contains("ports") && slice["ports"].is_array()) {
    for (auto& port : slice["ports"]) {
      if (port.is_object()) SetIfAbsent(port, "protocol", "TCP");
    }
  }
  if (slice.contains("endpoints") && slice["endpoints"].is_array()) {
    for (auto& endpoint : slice["endpoints"]) {
      if (endpoint.is_object()) SetIfAbsent(endpoint, "conditions", nlohmann::json::object());
    }
  }
}

}  // namespace sluice::fake_apiserver
