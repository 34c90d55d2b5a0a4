#include "mode_env.h"

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "bench/kubeproxy/kube_proxy_rules.h"
#include "bench/kubeproxy/ruleset_loader.h"
#include "e2e/harness/command.h"

namespace sluice::bench {
namespace {

using std::chrono::steady_clock;

constexpr auto kCommandTimeout = std::chrono::seconds(60);

void Run(const std::vector<std::string>& argv, const std::string& netns = "") {
  const e2e::CommandResult result = e2e::RunCommand(argv, kCommandTimeout, netns);
  if (result.exit_status != 0) {
    std::string line;
    for (const auto& word : argv) line += word + " ";
    throw std::runtime_error(line + "(in " + netns + ") failed: " + result.err);
  }
}

double SecondsSince(steady_clock::time_point start) {
  return std::chrono::duration<double>(steady_clock::now() - start).count();
}

// The client Pod's namespace: a connection-rate run needs more ephemeral ports
// than the default range, and TIME_WAIT ports back (the same in every mode).
void TuneClientNamespace(const std::string& netns) {
  Run({"sysctl", "-q", "-w", "net.ipv4.ip_local_port_range=1024 65535", "net.ipv4.tcp_tw_reuse=1"}, netns);
}

// The servers close first (an answer, then close), so TIME_WAIT would sit on their
// side, keyed by the client's address and port. The client reuses its ports within
// seconds, and a SYN that meets a TIME_WAIT socket is only let through if its TCP
// timestamp is newer; Linux offsets timestamps per (source, destination) pair, and
// the destination the client's socket knows is the ClusterIP under iptables/nftables
// (DNAT happens later) but the backend under sluice and direct. So once runs against
// different ClusterIPs share backends, iptables and nftables would lose SYNs to 1 s
// retransmits that have nothing to do with their rules. No TIME_WAIT on the servers
// (as load-test servers are often run) keeps that out of every mode alike.
void TuneServerNamespace(const std::string& netns) {
  Run({"sysctl", "-q", "-w", "net.ipv4.tcp_max_tw_buckets=0"}, netns);
}

class DirectEnv : public ModeEnv {
 public:
  using ModeEnv::ModeEnv;
  std::vector<std::string> Targets(const ServiceSet& set) const override { return set.target_backends; }
  InstallReport Install(const ServiceSet&) override { return {0, "nothing to program"}; }
  void Uninstall() override {}
};

// kube-proxy's rules, in the node namespace: the client Pod's packets meet them in
// PREROUTING on their way through the node.
class KubeProxyEnv : public ModeEnv {
 public:
  KubeProxyEnv(std::string name, const EnvOptions& options, kubeproxy::Backend backend)
      : ModeEnv(std::move(name), options), backend_(backend) {}
  bool uses_conntrack() const override { return true; }

  InstallReport Install(const ServiceSet& set) override {
    kubeproxy::RulesetOptions options;
    options.node_name = "node1";
    options.node_ips = {*IpAddress::Parse(topology_->node(1).ipv4)};
    options.cluster_cidrs = {*IpPrefix::Parse("198.18.0.0/16")};
    options.service_cidrs = {*IpPrefix::Parse("198.19.128.0/17")};
    const kubeproxy::Ruleset ruleset = backend_ == kubeproxy::Backend::kNftables
                                           ? kubeproxy::BuildNftablesRuleset(set.services, set.slices, options)
                                           : kubeproxy::BuildIptablesRuleset(set.services, set.slices, options);
    if (loaded_) Uninstall();
    const kubeproxy::LoadResult load =
        kubeproxy::LoadRuleset(node_netns(), backend_, IpFamily::kV4, ruleset.text);
    if (!load.ok) throw std::runtime_error(name_ + ": loading the ruleset failed: " + load.error);
    loaded_ = true;
    return {std::chrono::duration<double>(load.elapsed).count(),
            std::string(kubeproxy::BackendName(backend_)) + ": " + std::to_string(ruleset.stats.chains) +
                " chains, " + std::to_string(ruleset.stats.rules) + " rules, " +
                std::to_string(ruleset.stats.elements) + " elements"};
  }

  void Uninstall() override {
    if (!loaded_) return;
    const kubeproxy::LoadResult flush = kubeproxy::FlushRuleset(node_netns(), backend_, IpFamily::kV4);
    if (!flush.ok) throw std::runtime_error(name_ + ": removing the ruleset failed: " + flush.error);
    loaded_ = false;
  }

 private:
  kubeproxy::Backend backend_;
  bool loaded_ = false;
};

class SluiceEnv : public ModeEnv {
 public:
  using ModeEnv::ModeEnv;
  ~SluiceEnv() override {
    try {
      Uninstall();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "sluice env: %s\n", e.what());
    }
  }
  std::string client_cgroup() const override { return topology_->cgroup_path(); }
  std::vector<pid_t> ControlPlanePids() override {
    if (agent_ && agent_->Running()) return {agent_->pid()};
    return {};
  }

  InstallReport Install(const ServiceSet& set) override {
    Uninstall();
    const std::string dir = topology_->work_dir() + "/manifests";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    {
      std::ofstream out(dir + "/services.json", std::ios::trunc);
      out << set.manifest_json;
      if (!out) throw std::runtime_error("cannot write " + dir + "/services.json");
    }
    // Capacity for 100k Services (and both slot generations of each); the defaults
    // hold 65536 frontends.
    const size_t frontends = set.services.size();
    const auto pow2 = [](size_t n) {
      size_t p = 1024;
      while (p < n) p *= 2;
      return p;
    };
    std::vector<std::string> argv = PriorityPrefix();
    argv.insert(argv.end(),
                {options_.agent_path, "--manifests", dir, "--cgroup-path", topology_->cgroup_path(), "--bpffs",
                 Bpffs(), "--node-name", "node1", "--node-ip", topology_->node(1).ipv4, "--lb-map-max",
                 std::to_string(pow2(frontends * 2)), "--slot-map-max", std::to_string(pow2(frontends * 8)),
                 "--log-level", "info"});
    const auto start = steady_clock::now();
    agent_ = std::make_unique<e2e::Process>(node_netns(), argv, topology_->LogPath("agent-" + std::to_string(++starts_)));
    const auto deadline = start + options_.agent_sync_timeout;
    while (true) {
      const std::string log = e2e::ReadFile(agent_->stderr_path());
      if (log.find("initial sync done") != std::string::npos) break;
      if (!agent_->Running() || steady_clock::now() > deadline) {
        throw std::runtime_error("sluice-agent did not sync " + std::to_string(frontends) +
                                 " Services (" + agent_->Describe() + "):\n" + log.substr(0, 4000));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return {SecondsSince(start), "sluice-agent start to \"initial sync done\" (manifests of " +
                                     std::to_string(frontends) + " Services)"};
  }

  void Uninstall() override {
    if (!agent_) return;
    agent_->Stop(std::chrono::seconds(10));
    agent_.reset();
    // The links and maps outlive the agent by design (restarts drop nothing): remove them.
    Run({options_.agent_path, "--cleanup", "--bpffs", Bpffs(), "--cgroup-path", topology_->cgroup_path()},
        node_netns());
  }

 private:
  std::string Bpffs() const { return topology_->bpffs_path() + "/sluice"; }
  std::unique_ptr<e2e::Process> agent_;
  int starts_ = 0;
};

}  // namespace

ModeEnv::ModeEnv(std::string name, const EnvOptions& options) : name_(std::move(name)), options_(options) {
  e2e::TopologyOptions topology_options;
  topology_options.backends = options.backends + 1;  // the last one is the client Pod
  topology_ = std::make_unique<e2e::Topology>(topology_options);
  TuneClientNamespace(client_netns());
  for (int i = 0; i < options.backends; ++i) {
    const e2e::BackendInfo& backend = topology_->backends()[static_cast<size_t>(i)];
    TuneServerNamespace(backend.netns);
    const std::string ready = topology_->LogPath(backend.name + ".ready");
    std::vector<std::string> argv = PriorityPrefix();
    argv.insert(argv.end(), {options.loadgen_echo_path, "--name", backend.name, "--listen",
                             backend.ipv4 + ":" + std::to_string(options.backend_port), "--threads",
                             std::to_string(options.echo_threads), "--ready-file", ready});
    servers_.emplace_back(backend.netns, argv, topology_->LogPath(backend.name));
    if (!e2e::WaitForFile(ready, std::chrono::seconds(10)))
      throw std::runtime_error("echo server " + backend.name + " did not start: " + servers_.back().Stderr());
  }
}

ModeEnv::~ModeEnv() {
  servers_.clear();  // stopped before the namespaces go
}

std::vector<pid_t> ModeEnv::ServerPids() {
  std::vector<pid_t> pids;
  for (e2e::Process& server : servers_) pids.push_back(server.pid());
  return pids;
}

std::vector<std::string> ModeEnv::PriorityPrefix() const {
  if (options_.priority == "fifo") return {"chrt", "-f", "10"};
  if (options_.priority == "nice") return {"nice", "-n", "-20"};
  return {};
}

const std::vector<std::string>& KnownModes() {
  static const std::vector<std::string> modes = {"direct", "iptables", "iptables-nft", "nftables", "sluice"};
  return modes;
}

std::unique_ptr<ModeEnv> MakeModeEnv(const std::string& mode, const EnvOptions& options) {
  if (mode == "direct") return std::make_unique<DirectEnv>(mode, options);
  if (mode == "iptables")
    return std::make_unique<KubeProxyEnv>(mode, options, kubeproxy::Backend::kIptablesLegacy);
  if (mode == "iptables-nft")
    return std::make_unique<KubeProxyEnv>(mode, options, kubeproxy::Backend::kIptablesNft);
  if (mode == "nftables") return std::make_unique<KubeProxyEnv>(mode, options, kubeproxy::Backend::kNftables);
  if (mode == "sluice") return std::make_unique<SluiceEnv>(mode, options);
  throw std::runtime_error("unknown mode '" + mode + "' (direct, iptables, iptables-nft, nftables, sluice)");
}

}  // namespace sluice::bench
