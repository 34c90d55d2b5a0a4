#include "agent/agent.h"

#include <signal.h>
#include <unistd.h>

#include <thread>

#include "agent/manifest_source.h"
#include "base/clock.h"
#include "base/log.h"
#include "datapath/bpf_map_set.h"
#include "datapath/bpffs.h"
#include "datapath/cgroup.h"
#include "datapath/map_writer.h"
#include "datapath/sock_lb_loader.h"
#include "proxy/object_store.h"
#include "proxy/proxier.h"
#include "proxy/sync_runner.h"

namespace sluice::agent {
namespace {

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "localhost";
  return buf;
}

// --node-ip wins; otherwise this node's Node object's InternalIPs (and ExternalIPs).
model::NodeContext BuildNodeContext(const AgentOptions& o, const std::string& node_name,
                                    const std::optional<model::Node>& node) {
  model::NodeContext ctx;
  ctx.node_name = node_name;
  for (const std::string& text : o.node_ips) ctx.node_ips.push_back(*IpAddress::Parse(text));
  if (ctx.node_ips.empty() && node) {
    ctx.node_ips = node->internal_ips;
    ctx.node_ips.insert(ctx.node_ips.end(), node->external_ips.begin(), node->external_ips.end());
  }
  return ctx;
}

std::string CgroupPath(const AgentOptions& o) {
  if (!o.cgroup_path.empty()) return o.cgroup_path;
  auto mount = datapath::FindCgroup2Mount();
  if (!mount) throw datapath::DatapathError("no cgroup v2 filesystem in /proc/mounts; pass --cgroup-path");
  return *mount;
}

}  // namespace

int RunCleanup(const AgentOptions& o) {
  int removed = datapath::RemovePins(o.bpffs_dir);
  log::Info("cleanup done: programs detached, maps unpinned",
            {{"bpffs", o.bpffs_dir}, {"pins_removed", removed}});
  return 0;
}

int RunAgent(const AgentOptions& o) {
  // Signals are taken synchronously by this thread; the workers never see them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const std::string node_name = o.node_name.empty() ? HostName() : o.node_name;
  const std::string cgroup_path = CgroupPath(o);
  datapath::LoadSocketLb({o.bpffs_dir, cgroup_path, o.limits});
  auto maps = datapath::BpfMapSet::OpenPinned(o.bpffs_dir, /*read_only=*/false);
  datapath::MapWriter writer(*maps);
  datapath::RestoreResult restored = writer.Restore();
  log::Info("datapath ready",
            {{"bpffs", o.bpffs_dir}, {"cgroup", cgroup_path}, {"node", node_name},
             {"adopted_frontends", restored.frontends}, {"adopted_backends", restored.backends},
             {"orphans_removed", restored.orphans_removed}});

  SteadyClock clock;
  proxy::SyncRunner* runner_ptr = nullptr;
  proxy::ObjectStore store([&runner_ptr] {
    if (runner_ptr) runner_ptr->Request();
  });
  proxy::Proxier proxier(store, writer, {o.service_proxy_name});
  proxy::SyncRunner runner([&proxier](proxy::SyncReason r) { return proxier.Sync(r); },
                           {o.min_sync_period, o.sync_period, std::chrono::seconds(1)}, clock);
  runner_ptr = &runner;

  ManifestSource source(o.manifests_dir, store, node_name);
  source.Start();
  store.SetNode(BuildNodeContext(o, node_name, source.node()));
  runner.Request();

  std::thread runner_thread([&runner] { runner.Loop(); });
  std::thread source_thread([&source] { source.Run(); });

  int signal = 0;
  sigwait(&signals, &signal);
  log::Info("stopping; the datapath stays in place and keeps serving",
            {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
  source.Stop();
  runner.Stop();
  source_thread.join();
  runner_thread.join();
  runner_ptr = nullptr;
  return 0;
}

}  // namespace sluice::agent
