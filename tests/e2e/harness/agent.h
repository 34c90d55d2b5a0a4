// sluice-agent and sluicectl as a test runs them: the agent in a node namespace with
// the run's own cgroup and bpffs (never the machine's), the maps read back through
// the pins exactly as sluicectl reads them.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "datapath/snapshot.h"
#include "e2e/harness/process.h"
#include "e2e/harness/topology.h"

namespace sluice::e2e {

std::string AgentPath();      // sluice-agent
std::string SluicectlPath();  // sluicectl

// Every member has an initializer so designated initializers may name only some.
struct AgentOptions {
  std::string manifests_dir = "";
  int node = 1;                             // which node namespace it runs in
  std::vector<std::string> extra_flags{};  // e.g. {"--lb-map-max", "2"}
  // The API server instead of manifests_dir: the agent gets --kubeconfig PATH (a fake
  // API server's WriteKubeconfig).
  std::string kubeconfig = "";
  // The constructor waits (up to sync_timeout) for "initial sync done"; false returns
  // as soon as the process is started, for tests that hold the first sync back.
  bool wait_for_sync = true;
  std::chrono::milliseconds sync_timeout{10000};
};

// The run's bpffs directory for sluice's pins: <topology bpffs>/sluice for node1,
// <topology bpffs>/sluice-node<k> for node k, so agents on two nodes never share pins.
std::string SluiceBpffs(const Topology& topology, int node = 1);

class Agent {
 public:
  // Starts the agent and waits (bounded) for its "initial sync done" log line.
  // Throws std::runtime_error with the agent's log if it does not get there.
  Agent(const Topology& topology, AgentOptions options, const std::string& log_name = "agent");

  Process& process() { return process_; }
  std::string Log() const { return process_.Stderr(); }
  void Kill();  // SIGKILL: as a crash or an OOM kill would
  int Stop();   // SIGTERM, as a DaemonSet rollout does

 private:
  Process process_;
};

// Reads the pinned maps of node `node`'s agent (read-only), as sluicectl does.
datapath::Snapshot ReadMaps(const Topology& topology, int node = 1);

// Polls `ready` every millisecond up to `timeout`; returns how long it took, or
// nullopt if it never became true.
std::optional<std::chrono::microseconds> WaitUntil(const std::function<bool()>& ready,
                                                    std::chrono::milliseconds timeout);

// Writes `content` to `path` atomically (temp file + rename), as an operator's tool
// would, so the agent never reads half a file.
void WriteFileAtomically(const std::string& path, const std::string& content);

}  // namespace sluice::e2e
