#include "agent/agent.h"

#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "agent/api_source.h"
#include "agent/health_check_server.h"
#include "agent/http_endpoints.h"
#include "agent/metrics.h"
#include "agent/proxy_health.h"
#include "agent/manifest_source.h"
#include "agent/net_devices.h"
#include "agent/node_addresses.h"
#include "base/clock.h"
#include "base/log.h"
#include "datapath/bpf_map_set.h"
#include "datapath/bpffs.h"
#include "datapath/cgroup.h"
#include "datapath/map_writer.h"
#include "datapath/packet_lb_loader.h"
#include "datapath/sock_lb_loader.h"
#include "k8s/cluster_config.h"
#include "k8s/curl_transport.h"
#include "proxy/object_store.h"
#include "proxy/proxier.h"
#include "proxy/sync_runner.h"

namespace sluice::agent {
namespace {

// How often Pod-facing device patterns are matched again (new Pods, new veths).
constexpr auto kPodDeviceRescan = std::chrono::seconds(5);

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "localhost";
  return buf;
}

// This node's addresses, for NodePort frontends and SNAT: --node-ip wins, then the
// addresses of --devices, then the Node object's InternalIPs (and ExternalIPs).
model::NodeContext BuildNodeContext(const AgentOptions& o, const std::string& node_name,
                                    const std::vector<IpAddress>& device_ips,
                                    const std::optional<model::Node>& node) {
  model::NodeContext ctx;
  ctx.node_name = node_name;
  ctx.cluster_ips_external = o.external_cluster_ips;
  for (const std::string& text : o.node_ips) ctx.node_ips.push_back(*IpAddress::Parse(text));
  if (ctx.node_ips.empty()) ctx.node_ips = device_ips;
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

datapath::XdpMode ParseXdpMode(const std::string& mode) {
  if (mode == "generic") return datapath::XdpMode::kGeneric;
  if (mode == "off") return datapath::XdpMode::kOff;
  return datapath::XdpMode::kNative;
}

std::vector<std::string> PodDeviceNames(const AgentOptions& o) {
  std::vector<std::string> names;
  if (o.pod_devices.empty()) return names;
  for (const NetDevice& dev : MatchDevices(o.pod_devices)) names.push_back(dev.name);
  return names;
}

// healthCheckNodePort state from the proxier to the server.
class HealthCheckForwarder final : public proxy::HealthCheckSink {
 public:
  explicit HealthCheckForwarder(HealthCheckServer& server) : server_(server) {}
  void Sync(const std::map<model::ObjectName, uint16_t>& ports,
            const std::map<model::ObjectName, int>& local_endpoints) override {
    server_.SyncEndpoints(local_endpoints);
    server_.SyncServices(ports);
  }

 private:
  HealthCheckServer& server_;
};

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
  SteadyClock clock;
  // kube-proxy's health: unhealthy when a change waits longer than two sync periods.
  ProxyHealth health(clock, 2 * o.sync_period);
  proxy::SyncRunner* runner_ptr = nullptr;
  proxy::ObjectStore store([&runner_ptr, &health] {
    health.QueuedUpdate();
    if (runner_ptr) runner_ptr->Request();
  });
  // The source is configured before the kernel is touched: a wrong kubeconfig stops
  // the agent with nothing changed.
  std::unique_ptr<ApiSource> api;
  std::vector<IpAddress> device_ips;
  if (o.node_ips.empty() && !o.devices.empty()) device_ips = NodeAddressesOfDevices(o.devices);
  if (o.manifests_dir.empty()) {
    auto on_node = [&o, &store, &device_ips, node_name](const model::Node& node) {
      if (o.node_ips.empty() && device_ips.empty())
        store.SetNode(BuildNodeContext(o, node_name, device_ips, node));
    };
    api = MakeApiSource(o, node_name, store, on_node);
  }

  const std::string cgroup_path = CgroupPath(o);
  // Maps an earlier version (or other sizes) pinned are carried over, not recreated;
  // the last copy happens once every program of this version is attached.
  datapath::MapMigrations migrations;
  if (o.socket_lb) {
    datapath::LoadSocketLb({o.bpffs_dir, cgroup_path, o.limits, &migrations});
  } else {
    datapath::DetachSocketLb(o.bpffs_dir);
  }
  std::vector<std::string> pod_devices = PodDeviceNames(o);
  datapath::PacketLbOptions packet{o.bpffs_dir, o.devices, pod_devices, ParseXdpMode(o.xdp_mode), o.limits,
                                   &migrations};
  datapath::LoadPacketLb(packet);
  migrations.Finish();
  packet.migrations = nullptr;  // rescans of Pod devices find the maps in place

  auto maps = datapath::BpfMapSet::OpenPinned(o.bpffs_dir, /*read_only=*/false);
  datapath::MapWriter writer(*maps, {o.maglev_table_size});
  datapath::RestoreResult restored = writer.Restore();
  log::Info("datapath ready",
            {{"bpffs", o.bpffs_dir}, {"cgroup", o.socket_lb ? cgroup_path : std::string("(socket LB off)")},
             {"node", node_name}, {"adopted_frontends", restored.frontends},
             {"adopted_backends", restored.backends}, {"orphans_removed", restored.orphans_removed}});

  HealthCheckServerOptions hc_options;
  hc_options.proxy_healthy = [&health] { return health.Healthy(); };
  HealthCheckServer health_checks(hc_options);
  health_checks.Start();
  HealthCheckForwarder forwarder(health_checks);
  proxy::Proxier proxier(store, writer, {o.service_proxy_name, o.snat_port_min, o.snat_port_max},
                         &forwarder);
  auto sync = [&proxier, &store, &health](proxy::SyncReason reason) {
    bool ok = proxier.Sync(reason);
    if (ok && store.Synced()) health.Updated();
    return ok;
  };
  proxy::SyncRunner runner(sync, {o.min_sync_period, o.sync_period, std::chrono::seconds(1)}, clock);
  runner_ptr = &runner;

  store.SetNode(BuildNodeContext(o, node_name, device_ips, std::nullopt));
  std::unique_ptr<ManifestSource> manifests;
  std::thread source_thread;
  if (!o.manifests_dir.empty()) {
    manifests = std::make_unique<ManifestSource>(o.manifests_dir, store, node_name);
    manifests->Start();
    if (o.node_ips.empty() && device_ips.empty())
      store.SetNode(BuildNodeContext(o, node_name, device_ips, manifests->node()));
    source_thread = std::thread([&manifests] { manifests->Run(); });
  } else {
    api->Start();
  }
  runner.Request();
  std::thread runner_thread([&runner] { runner.Loop(); });

  MetricsInputs metrics{&proxier, api.get(), manifests.get(), maps.get()};
  HttpEndpoints endpoints({o.healthz_bind_address, o.metrics_bind_address}, health,
                          [&metrics] { return RenderMetrics(metrics); });
  endpoints.Start();

  // Wait for a signal; meanwhile attach to Pod-facing devices that appear.
  int signal = 0;
  const timespec rescan{std::chrono::duration_cast<std::chrono::seconds>(kPodDeviceRescan).count(), 0};
  while (true) {
    signal = sigtimedwait(&signals, nullptr, &rescan);
    if (signal > 0) break;
    if (o.pod_devices.empty()) continue;
    try {
      std::vector<std::string> now = PodDeviceNames(o);
      if (now != pod_devices) {
        pod_devices = now;
        packet.pod_devices = now;
        datapath::LoadPacketLb(packet);
      }
    } catch (const std::exception& e) {
      log::Warn("cannot attach to Pod-facing devices", {{"error", e.what()}});
    }
  }
  log::Info("stopping; the datapath stays in place and keeps serving",
            {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
  endpoints.Stop();
  if (manifests) {
    manifests->Stop();
    source_thread.join();
  }
  if (api) api->Stop();
  runner.Stop();
  runner_thread.join();
  runner_ptr = nullptr;
  health_checks.Stop();
  return 0;
}

}  // namespace sluice::agent
