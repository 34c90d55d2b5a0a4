// One proxy mode of a B2/B3/B8 run, in a topology of its own (scripts/topology.sh: a
// node namespace with backend namespaces), so every mode stays loaded while the runs
// go round the modes in turn and no mode's rules sit in another's path:
//   direct    no load balancer: the client connects to the backends themselves
//   iptables  kube-proxy's iptables ruleset (bench/kubeproxy), iptables-legacy or -nft
//   nftables  kube-proxy's nftables ruleset
//   sluice    sluice-agent with --manifests, its socket hooks on the run's cgroup
// The client is a Pod: the namespace of one more backend (be<B+1>, 198.18.<B+1>.2, in
// the cluster CIDR, so kube-proxy does not masquerade it) that no Service uses, in the
// run's cgroup for sluice. Its connections go Pod -> node -> backend Pod over veth in
// every mode. Lean echo servers (sluice-loadgen-echo) answer in be1..beB. Everything
// is removed by the destructor (and by the harness at exit or on SIGINT/SIGTERM).
//
// Why not a host-network client: kube-proxy masquerades host traffic to ClusterIPs
// (--random-fully), and with one client address and one backend port conntrack holds
// every one of the 64k NAT tuples for 120 s of TIME_WAIT past ~500 connections/s, so
// SYNs start to clash and wait out 1 s retransmits: that measures tuple exhaustion,
// not the rules.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "e2e/harness/process.h"
#include "e2e/harness/topology.h"
#include "service_set.h"

namespace sluice::bench {

struct EnvOptions {
  int backends = 4;  // serving backends; the topology has one more, the client Pod
  uint16_t backend_port = 8080;
  int echo_threads = 1;
  // How the client, servers and agent are scheduled. These machines are shared with
  // builds that keep every CPU busy, and under CFS (even at nice -20) connection rates
  // swing 5x from one second to the next; "fifo" (SCHED_FIFO 10 via chrt; the kernel's
  // RT throttling still leaves others 5%) makes runs repeatable. "nice" (-20), "none".
  std::string priority = "fifo";
  std::string loadgen_echo_path;
  std::string agent_path;
  std::chrono::seconds agent_sync_timeout{1800};
};

struct InstallReport {
  double seconds = 0;  // rules loaded / maps programmed, from the loader's start
  std::string detail;  // "iptables-legacy-restore: 300004 rules", ...
};

class ModeEnv {
 public:
  ModeEnv(std::string name, const EnvOptions& options);
  virtual ~ModeEnv();
  ModeEnv(const ModeEnv&) = delete;
  ModeEnv& operator=(const ModeEnv&) = delete;

  const std::string& name() const { return name_; }
  const e2e::Topology& topology() const { return *topology_; }
  const std::string& client_netns() const { return topology_->backends().back().netns; }
  const std::string& node_netns() const { return topology_->node(1).netns; }
  // Where the client must be for its sockets to be translated ("": anywhere).
  virtual std::string client_cgroup() const { return ""; }
  // What the client connects to for the measured Service.
  virtual std::vector<std::string> Targets(const ServiceSet& set) const { return {set.target_frontend}; }
  // Does this mode's node namespace track connections (a table to empty between runs)?
  virtual bool uses_conntrack() const { return false; }

  // Programs the mode for `set` (replacing what an earlier Install put there).
  virtual InstallReport Install(const ServiceSet& set) = 0;
  virtual void Uninstall() = 0;

  std::vector<pid_t> ServerPids();
  virtual std::vector<pid_t> ControlPlanePids() { return {}; }
  // argv prefix that runs a program at the configured priority.
  std::vector<std::string> PriorityPrefix() const;

 protected:
  std::string name_;
  EnvOptions options_;
  std::unique_ptr<e2e::Topology> topology_;
  std::vector<e2e::Process> servers_;
};

// "direct", "iptables" (legacy), "iptables-nft", "nftables", "sluice".
std::unique_ptr<ModeEnv> MakeModeEnv(const std::string& mode, const EnvOptions& options);
const std::vector<std::string>& KnownModes();

}  // namespace sluice::bench
