// Service and EndpointSlice manifests for tests, written as `kubectl get -o yaml`
// prints them, so the agent reads in tests what it reads from a user.
#pragma once
// Every member has an initializer so designated initializers may name only what a
// test cares about.

#include <string>
#include <vector>

namespace sluice::e2e {

struct PortSpec {
  std::string name{};
  std::string protocol = "TCP";
  int port = 80;
  std::string target_port = "8080";  // a number or a port name
};

struct ServiceSpec {
  std::string name{};
  std::string ns = "default";
  std::vector<std::string> cluster_ips{};  // first is spec.clusterIP
  std::vector<PortSpec> ports{};
  std::string type = "ClusterIP";
  int client_ip_affinity_seconds = 0;  // > 0: sessionAffinity ClientIP with this timeout
  std::vector<std::string> labels{};  // "key: value"
};

struct EndpointSpec {
  std::string address{};
  bool ready = true;
  bool serving = true;
  bool terminating = false;
  std::string node_name = "node1";
};

struct SliceSpec {
  std::string name{};
  std::string service{};
  std::string ns = "default";
  std::string address_type = "IPv4";
  std::vector<std::pair<std::string, int>> ports{};  // name -> port (TCP)
  std::vector<std::string> udp_port_names{};          // which of those names are UDP
  std::vector<EndpointSpec> endpoints{};
};

std::string ServiceYaml(const ServiceSpec& spec);
std::string SliceYaml(const SliceSpec& spec);
// Joins documents with "---".
std::string Documents(const std::vector<std::string>& docs);

}  // namespace sluice::e2e
