#include "agent/agent.h"

#include <signal.h>
#include <unistd.h>

#include <thread>

#include "agent/api_source.h"
#include "agent/manifest_source.h"
#include "base/clock.h"
#include "base/log.h"
#include "datapath/bpf_map_set.h"
#include "datapath/bpffs.h"
#include "datapath/cgroup.h"
#include "datapath/map_writer.h"
#include "datapath/sock_lb_loader.h"
#include "k8s/cluster_config.h"
#include "k8s/curl_transport.h"
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

// The API server source, or nullptr with --manifests. Throws k8s::ConfigError when no
// API server is configured.
std::unique_ptr<ApiSource> MakeApiSource(const AgentOptions& o, const std::string& node_name,
                                         proxy::ObjectStore& store,
                                         ApiSource::NodeCallback on_node) {
  k8s::ClusterConfig cluster = k8s::ResolveClusterConfig({o.kubeconfig, o.context, o.master});
  log::Info("API server", {{"server", cluster.server}, {"from", cluster.source},
                           {"content_type", o.kube_api_content_type}});
  ApiSourceOptions api;
  api.content_type = o.kube_api_content_type == "application/json" ? k8s::ContentType::kJson
                                                                     : k8s::ContentType::kProtobuf;
  api.node_name = node_name;
  api.service_proxy_name = o.service_proxy_name;
  api.min_watch_timeout = o.api_min_watch_timeout;
  api.watch_idle_timeout = o.api_watch_idle_timeout;
  return std::make_unique<ApiSource>(api, std::make_unique<k8s::CurlTransport>(std::move(cluster)),
                                     store, std::move(on_node));
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

  store.SetNode(BuildNodeContext(o, node_name, std::nullopt));
  std::unique_ptr<ManifestSource> manifests;
  std::unique_ptr<ApiSource> api;
  std::thread source_thread;
  if (!o.manifests_dir.empty()) {
    manifests = std::make_unique<ManifestSource>(o.manifests_dir, store, node_name);
    manifests->Start();
    if (o.node_ips.empty()) store.SetNode(BuildNodeContext(o, node_name, manifests->node()));
    source_thread = std::thread([&manifests] { manifests->Run(); });
  } else {
    // This node's Node object: its addresses, when --node-ip does not give them.
    auto on_node = [&o, &store, node_name](const model::Node& node) {
      if (o.node_ips.empty()) store.SetNode(BuildNodeContext(o, node_name, node));
    };
    api = MakeApiSource(o, node_name, store, on_node);
    api->Start();
  }
  runner.Request();
  std::thread runner_thread([&runner] { runner.Loop(); });

  int signal = 0;
  sigwait(&signals, &signal);
  log::Info("stopping; the datapath stays in place and keeps serving",
            {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
  if (manifests) {
    manifests->Stop();
    source_thread.join();
  }
  if (api) api->Stop();
  runner.Stop();
  runner_thread.join();
  runner_ptr = nullptr;
  return 0;
}

}  // namespace sluice::agent
