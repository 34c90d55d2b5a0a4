#include "e2e/harness/agent.h"

#include <signal.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "datapath/bpf_map_set.h"

namespace sluice::e2e {

std::string AgentPath() { return SLUICE_AGENT_PATH; }
std::string SluicectlPath() { return SLUICECTL_PATH; }

std::string SluiceBpffs(const Topology& topology, int node) {
  return topology.bpffs_path() + (node == 1 ? "/sluice" : "/sluice-node" + std::to_string(node));
}

namespace {

std::vector<std::string> AgentArgv(const Topology& topology, const AgentOptions& o) {
  const NodeInfo& node = topology.node(o.node);
  std::vector<std::string> argv = {AgentPath()};
  if (o.kubeconfig.empty()) {
    argv.insert(argv.end(), {"--manifests", o.manifests_dir});
  } else {
    argv.insert(argv.end(), {"--kubeconfig", o.kubeconfig});
  }
  argv.insert(argv.end(), {"--cgroup-path", topology.cgroup_path(),
                           "--bpffs", SluiceBpffs(topology, o.node),
                           "--node-name", node.name,
                           "--node-ip", node.ipv4,
                           "--node-ip", node.ipv6});
  argv.insert(argv.end(), o.extra_flags.begin(), o.extra_flags.end());
  return argv;
}

}  // namespace

Agent::Agent(const Topology& topology, AgentOptions options, const std::string& log_name)
    : process_(topology.node(options.node).netns, AgentArgv(topology, options),
               topology.LogPath(log_name)) {
  if (!options.wait_for_sync) return;
  auto synced = WaitUntil(
      [this] {
        return process_.Stderr().find("initial sync done") != std::string::npos || !process_.Running();
      },
      options.sync_timeout);
  if (!synced || !process_.Running())
    throw std::runtime_error("sluice-agent did not come up (" + process_.Describe() + "):\n" +
                             process_.Stderr());
}

void Agent::Kill() {
  process_.Signal(SIGKILL);
  process_.Wait(std::chrono::seconds(5));
}

int Agent::Stop() { return process_.Stop(); }

datapath::Snapshot ReadMaps(const Topology& topology, int node) {
  auto maps = datapath::BpfMapSet::OpenPinned(SluiceBpffs(topology, node), /*read_only=*/true);
  return datapath::ReadSnapshot(*maps);
}

std::optional<std::chrono::microseconds> WaitUntil(const std::function<bool()>& ready,
                                                    std::chrono::milliseconds timeout) {
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + timeout;
  while (true) {
    if (ready())
      return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void WriteFileAtomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << content;
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot rename to " + path);
}

}  // namespace sluice::e2e
