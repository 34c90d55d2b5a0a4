// Small Kubernetes objects for the fake's tests.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace sluice::fake_apiserver::testing {

inline nlohmann::json MakeService(const std::string& ns, const std::string& name,
                                  const std::string& cluster_ip,
                                  const std::map<std::string, std::string>& labels = {}) {
  nlohmann::json service = {
      {"apiVersion", "v1"},
      {"kind", "Service"},
      {"metadata", {{"name", name}, {"namespace", ns}}},
      {"spec", {{"clusterIP", cluster_ip}, {"ports", {{{"name", "http"}, {"port", 80}, {"targetPort", 8080}}}}}}};
  if (!labels.empty()) service["metadata"]["labels"] = labels;
  return service;
}

inline nlohmann::json MakeSlice(const std::string& ns, const std::string& name,
                                const std::string& service, const std::string& address,
                                bool ready = true) {
  return {{"apiVersion", "discovery.k8s.io/v1"},
          {"kind", "EndpointSlice"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", {{"kubernetes.io/service-name", service}}}}},
          {"addressType", "IPv4"},
          {"endpoints", {{{"addresses", {address}}, {"conditions", {{"ready", ready}}}, {"nodeName", "node1"}}}},
          {"ports", {{{"name", "http"}, {"protocol", "TCP"}, {"port", 8080}}}}};
}

inline nlohmann::json MakeNode(const std::string& name, const std::string& address) {
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", {{"name", name}}},
          {"status", {{"addresses", {{{"type", "InternalIP"}, {"address", address}}}}}}};
}

}  // namespace sluice::fake_apiserver::testing
