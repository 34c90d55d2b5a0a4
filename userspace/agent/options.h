// sluice-agent's configuration, from flags in kube-proxy's spirit.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "datapath/map_limits.h"
#include "datapath/pin_paths.h"

namespace sluice::agent {

struct AgentOptions {
  // Source: a manifests directory, or the API server (kubeconfig, in-cluster, --master).
  std::string manifests_dir;
  std::string kubeconfig;
  std::string context;
  std::string master;
  std::string kube_api_content_type = "application/vnd.kubernetes.protobuf";
  std::chrono::seconds api_min_watch_timeout{std::chrono::minutes(5)};
  std::chrono::milliseconds api_watch_idle_timeout{std::chrono::seconds(90)};
  std::string cgroup_path;  // empty: the root of the cgroup v2 mount
  bool socket_lb = true;    // the cgroup socket hooks
  // The packet path: XDP (or tc) on these devices for NodePort/LoadBalancer/externalIPs.
  std::vector<std::string> devices;
  std::string xdp_mode = "native";  // native, generic or off (tc only)
  // Pod-facing devices (names or fnmatch patterns): tc translates ClusterIPs there for
  // sockets the cgroup hooks did not see.
  std::vector<std::string> pod_devices;
  bool external_cluster_ips = false;
  uint32_t maglev_table_size = 16381;
  uint16_t snat_port_min = SLUICE_SNAT_PORT_MIN;
  uint16_t snat_port_max = SLUICE_SNAT_PORT_MAX;
  std::string bpffs_dir = datapath::kDefaultBpffsDir;
  std::vector<std::string> node_ips;
  std::string node_name;  // empty: the host name
  std::string service_proxy_name;
  std::chrono::nanoseconds min_sync_period{0};
  std::chrono::nanoseconds sync_period{std::chrono::seconds(30)};
  datapath::MapLimits limits;
  std::string healthz_bind_address = "0.0.0.0:10256";
  std::string metrics_bind_address = "127.0.0.1:10249";
  std::string log_level = "info";
  std::string log_format = "text";
  bool cleanup = false;
};

// Parses argv into `options`. Returns -1 to go on, or the exit code to return now
// (0 after --help, 2 after a usage error, with the message printed).
int ParseFlags(int argc, char** argv, AgentOptions* options);

}  // namespace sluice::agent
