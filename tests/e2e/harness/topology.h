// One run's network-namespace cluster, owned by a test: built by scripts/topology.sh up
// with a fresh run id, described by the script's key=value output (the address plan
// lives in scripts/lib/topology.sh only), torn down by the destructor, at exit, or on
// SIGINT/SIGTERM.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::e2e {

struct TopologyOptions {
  int backends = 3;           // all behind node1, unless backends_per_node is set
  int nodes = 1;              // 1 or 2 (joined by a "fabric" veth)
  int backends_per_node = 0;  // >0: this many behind every node
  bool external = false;      // an external client namespace attached to node1
  int clients = 0;            // client Pods behind node1 (sl-<id>-cl<i>), no cgroup
};

struct NodeInfo {
  std::string name;   // "node1"
  std::string netns;  // "sl-<id>-node1": host-network processes run here
  std::string ipv4;   // the node IP, on lo
  std::string ipv6;
  std::string fabric_ipv4;  // empty with one node
  std::string fabric_ipv6;
};

struct BackendInfo {
  std::string name;   // "be1"; also the echo server's --name
  std::string netns;  // "sl-<id>-be1"
  int node = 1;       // which node it hangs off
  std::string ipv4;
  std::string ipv6;
  std::string gateway_ipv4;  // the node side of its veth
  std::string gateway_ipv6;
  std::string node_device;  // that veth's name in the node namespace ("be1")
};

struct ExternalInfo {
  std::string netns;
  std::string ipv4;
  std::string ipv6;
  std::string gateway_ipv4;  // node1's address on the link
  std::string gateway_ipv6;
  std::string node_device;  // "ext" in node1: where XDP for external traffic goes
};

// A client Pod behind node1 (--clients): traffic from a Pod that the socket hooks
// do not translate reaches Services through tc on its node-side device.
struct ClientInfo {
  std::string name;   // "cl1"
  std::string netns;  // "sl-<id>-cl1"
  std::string ipv4;
  std::string ipv6;
  std::string gateway_ipv4;  // the node side of its veth
  std::string gateway_ipv6;
  std::string node_device;  // that veth's name in node1 ("cl1")
};

// A fresh run id: 6 hex digits no namespace on this machine uses yet.
std::string NewRunId();

class Topology {
 public:
  // Brings the topology up; throws std::runtime_error with the script's stderr if it
  // fails (what was built is removed first).
  explicit Topology(TopologyOptions options = {});
  ~Topology();
  Topology(const Topology&) = delete;
  Topology& operator=(const Topology&) = delete;

  const std::string& run_id() const { return run_id_; }
  const std::vector<NodeInfo>& nodes() const { return nodes_; }
  const NodeInfo& node(int k = 1) const { return nodes_.at(static_cast<size_t>(k - 1)); }
  const std::vector<BackendInfo>& backends() const { return backends_; }
  const std::optional<ExternalInfo>& external() const { return external_; }
  const std::vector<ClientInfo>& clients() const { return clients_; }
  const std::string& cgroup_path() const { return cgroup_path_; }
  const std::string& bpffs_path() const { return bpffs_path_; }
  const std::string& run_dir() const { return run_dir_; }
  const std::string& log_dir() const { return log_dir_; }
  // Scratch space for the run's files (manifests, configs); removed with the run.
  const std::string& work_dir() const { return work_dir_; }
  // log_dir()/name: where a test's processes write (removed with the topology).
  std::string LogPath(const std::string& name) const { return log_dir_ + "/" + name; }
  // Every key=value line the script printed, for what the structs do not name.
  const std::map<std::string, std::string>& values() const { return values_; }

  // Removes the namespaces, cgroup, bpffs and run dir. Idempotent; the destructor
  // calls it. Throws if the script fails.
  void Down();
  // The run's namespaces that exist now, according to the script: after Down, none.
  std::vector<std::string> LiveNamespaces() const;

 private:
  void Parse(const std::string& description);
  std::string Value(const std::string& key) const;

  std::string run_id_;
  std::vector<NodeInfo> nodes_;
  std::vector<BackendInfo> backends_;
  std::optional<ExternalInfo> external_;
  std::vector<ClientInfo> clients_;
  std::string cgroup_path_;
  std::string bpffs_path_;
  std::string run_dir_;
  std::string log_dir_;
  std::string work_dir_;
  std::map<std::string, std::string> values_;
  int teardown_handle_ = -1;
  bool up_ = false;
};

}  // namespace sluice::e2e
