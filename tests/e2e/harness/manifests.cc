#include "e2e/harness/manifests.h"

#include <algorithm>
#include <sstream>

namespace sluice::e2e {

std::string ServiceYaml(const ServiceSpec& s) {
  std::ostringstream y;
  y << "apiVersion: v1\nkind: Service\nmetadata:\n  name: " << s.name << "\n  namespace: " << s.ns << "\n";
  if (!s.labels.empty()) {
    y << "  labels:\n";
    for (const auto& l : s.labels) y << "    " << l << "\n";
  }
  y << "spec:\n  type: " << s.type << "\n";
  if (s.client_ip_affinity_seconds > 0)
    y << "  sessionAffinity: ClientIP\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: "
      << s.client_ip_affinity_seconds << "}}\n";
  if (!s.cluster_ips.empty()) {
    y << "  clusterIP: " << s.cluster_ips.front() << "\n  clusterIPs:\n";
    for (const auto& ip : s.cluster_ips) y << "  - " << ip << "\n";
  }
  if (!s.ports.empty()) {
    y << "  ports:\n";
    for (const auto& p : s.ports) {
      y << "  - name: " << p.name << "\n    protocol: " << p.protocol << "\n    port: " << p.port
        << "\n    targetPort: " << p.target_port << "\n";
    }
  }
  return y.str();
}

std::string SliceYaml(const SliceSpec& s) {
  std::ostringstream y;
  y << "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: " << s.name
    << "\n  namespace: " << s.ns << "\n  labels:\n    kubernetes.io/service-name: " << s.service
    << "\naddressType: " << s.address_type << "\nports:\n";
  for (const auto& [name, port] : s.ports) {
    bool udp = std::find(s.udp_port_names.begin(), s.udp_port_names.end(), name) != s.udp_port_names.end();
    y << "- name: " << name << "\n  protocol: " << (udp ? "UDP" : "TCP") << "\n  port: " << port << "\n";
  }
  if (s.endpoints.empty()) {
    y << "endpoints: []\n";
  } else {
    y << "endpoints:\n";
    for (const auto& e : s.endpoints)
      y << "- addresses: [\"" << e.address << "\"]\n  conditions:\n    ready: " << (e.ready ? "true" : "false")
        << "\n    serving: " << (e.serving ? "true" : "false")
        << "\n    terminating: " << (e.terminating ? "true" : "false") << "\n  nodeName: " << e.node_name << "\n";
  }
  return y.str();
}

std::string Documents(const std::vector<std::string>& docs) {
  std::string out;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (i) out += "---\n";
    out += docs[i];
  }
  return out;
}

}  // namespace sluice::e2e
