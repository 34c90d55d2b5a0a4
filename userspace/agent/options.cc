#include "agent/options.h"

#include <CLI/CLI.hpp>
#include <set>

#include "agent/config_file.h"

#include <sstream>

#include "base/duration.h"
#include "base/ip_address.h"
#include "maglev/table_size.h"

namespace sluice::agent {
namespace {

// A CLI11 validator for durations such as "500ms" or "1m".
struct DurationValidator : public CLI::Validator {
  DurationValidator() {
    name_ = "DURATION";
    func_ = [](const std::string& text) {
      return ParseDuration(text) ? std::string() : "not a duration (e.g. 500ms, 30s, 1m): " + text;
    };
  }
};

struct IpValidator : public CLI::Validator {
  IpValidator() {
    name_ = "IP";
    func_ = [](const std::string& text) {
      return IpAddress::Parse(text) ? std::string() : "not an IP address: " + text;
    };
  }
};


// Which flags the command line gives ("cgroup-path"), and the --config file if any.
void ScanArgs(int argc, char** argv, std::set<std::string>* given, std::string* config) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (!arg.starts_with("--")) continue;
    size_t eq = arg.find('=');
    std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    given->insert(name);
    if (name == "config") *config = eq != std::string::npos ? arg.substr(eq + 1) : (i + 1 < argc ? argv[i + 1] : "");
  }
}

std::vector<FlagShape> Shapes(const CLI::App& app) {
  std::vector<FlagShape> shapes;
  for (const CLI::Option* opt : app.get_options()) {
    for (const std::string& name : opt->get_lnames())
      shapes.push_back({name, opt->get_expected_min() > 0, opt->get_expected_max() > 1});
  }
  return shapes;
}

}  // namespace

int ParseFlags(int argc, char** argv, AgentOptions* o) {
  CLI::App app{"sluice-agent: a kube-proxy replacement with an eBPF datapath"};
  std::string config_path;
  app.add_option("--config", config_path,
                 "YAML file of settings named like the flags in camelCase (cgroupPath: ...); "
                 "flags on the command line win");
  app.get_formatter()->column_width(36);
  std::string min_sync = FormatDuration(o->min_sync_period);
  std::string sync = FormatDuration(o->sync_period);

  app.add_option("--manifests", o->manifests_dir,
                 "directory of Service/EndpointSlice manifests (YAML or JSON) to mirror")
      ->check(CLI::ExistingDirectory);
  app.add_option("--kubeconfig", o->kubeconfig,
                 "kubeconfig of the API server to mirror (default: in-cluster config when "
                 "KUBERNETES_SERVICE_HOST is set)");
  app.add_option("--context", o->context, "kubeconfig context (default: current-context)");
  app.add_option("--master", o->master, "API server address, overriding the kubeconfig's");
  app.add_option("--kube-api-content-type", o->kube_api_content_type,
                 "wire format asked of the API server")
      ->check(CLI::IsMember({"application/vnd.kubernetes.protobuf", "application/json"}))
      ->capture_default_str();
  std::string min_watch = FormatDuration(o->api_min_watch_timeout);
  std::string watch_idle = FormatDuration(o->api_watch_idle_timeout);
  app.add_option("--api-min-watch-timeout", min_watch,
                 "a watch ends after a random time in [this, twice this), as client-go's")
      ->check(DurationValidator())
      ->capture_default_str();
  app.add_option("--api-watch-idle-timeout", watch_idle,
                 "a watch that delivers nothing (not even a bookmark) for this long is restarted")
      ->check(DurationValidator())
      ->capture_default_str();
  app.add_option("--cgroup-path", o->cgroup_path,
                 "cgroup v2 directory to attach the socket hooks to (default: the root of "
                 "the cgroup v2 mount found in /proc/mounts)");
  app.add_option("--bpffs", o->bpffs_dir, "where maps and links are pinned")->capture_default_str();
  app.add_option("--socket-lb", o->socket_lb,
                 "translate at connect()/sendmsg() with the cgroup socket hooks (false: tc on "
                 "--pod-devices does it per packet)")
      ->capture_default_str();
  app.add_option("--devices", o->devices,
                 "the node's external devices (comma-separated): NodePort, LoadBalancer and "
                 "externalIP traffic is translated there")
      ->delimiter(',');
  app.add_option("--xdp-mode", o->xdp_mode, "XDP on --devices: native, generic or off (tc only)")
      ->check(CLI::IsMember({"native", "generic", "off"}))
      ->capture_default_str();
  app.add_option("--pod-devices", o->pod_devices,
                 "Pod-facing devices, names or patterns such as 'veth*' (comma-separated): "
                 "ClusterIPs are translated there for sockets the cgroup hooks did not see")
      ->delimiter(',');
  app.add_flag("--external-cluster-ip", o->external_cluster_ips,
               "let traffic from outside the node reach ClusterIPs (kube-proxy does not)");
  app.add_option("--maglev-table-size", o->maglev_table_size,
                 "largest Maglev table a Service gets (a prime; each gets the smallest listed "
                 "prime >= 100 x its backends)")
      ->capture_default_str();
  std::string snat_ports = std::to_string(o->snat_port_min) + "-" + std::to_string(o->snat_port_max);
  app.add_option("--snat-port-range", snat_ports,
                 "source ports for SNATed flows to backends on other nodes (keep it out of the "
                 "node's ephemeral range)")
      ->capture_default_str();
  app.add_option("--maglev-map-max", o->limits.maglev_slots, "Maglev slots of all tables together")
      ->capture_default_str()
      ->check(CLI::Range(2u, 1u << 28));
  app.add_option("--ct-map-max", o->limits.conntrack, "flows the packet path tracks (and NATs)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1u << 26));
  app.add_option("--node-ip", o->node_ips, "this node's IP addresses (repeatable)")
      ->check(IpValidator());
  app.add_option("--node-name", o->node_name, "this node's name (default: the host name)");
  app.add_option("--service-proxy-name", o->service_proxy_name,
                 "proxy only Services whose service.kubernetes.io/service-proxy-name label "
                 "has this value (default: only Services without the label)");
  app.add_option("--min-sync-period", min_sync,
                 "shortest time between two syncs of the datapath (0: as soon as a change arrives)")
      ->check(DurationValidator())
      ->capture_default_str();
  app.add_option("--sync-period", sync, "how often a full resync repairs drift")
      ->check(DurationValidator())
      ->capture_default_str();
  app.add_option("--lb-map-max", o->limits.services, "capacity of the services (frontends) map")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1u << 24));
  app.add_option("--backend-map-max", o->limits.backends, "capacity of the backends map")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1u << 24));
  app.add_option("--slot-map-max", o->limits.slots,
                 "capacity of the backend slots map (both generations of every frontend)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1u << 26));
  app.add_option("--healthz-bind-address", o->healthz_bind_address,
                 "HOST:PORT of /healthz and /livez (empty: off)")
      ->capture_default_str();
  app.add_option("--metrics-bind-address", o->metrics_bind_address,
                 "HOST:PORT of /metrics (empty: off)")
      ->capture_default_str();
  app.add_option("--log-level", o->log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  app.add_option("--log-format", o->log_format, "text (logfmt) or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_flag("--cleanup", o->cleanup,
               "remove every program, link and pin sluice made under --bpffs, then exit");

  std::set<std::string> given;
  std::string config;
  ScanArgs(argc, argv, &given, &config);
  std::vector<std::string> args = {argv[0]};
  if (!config.empty()) {
    try {
      for (std::string& a : ConfigFileArgs(config, Shapes(app), given)) args.push_back(std::move(a));
    } catch (const std::exception& e) {
      std::cerr << "sluice-agent: " << e.what() << "\n";
      return 2;
    }
  }
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  std::vector<char*> cargs;
  for (std::string& a : args) cargs.push_back(a.data());
  try {
    app.parse(static_cast<int>(cargs.size()), cargs.data());
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  o->min_sync_period = *ParseDuration(min_sync);
  o->sync_period = *ParseDuration(sync);
  o->api_min_watch_timeout =
      std::chrono::duration_cast<std::chrono::seconds>(*ParseDuration(min_watch));
  o->api_watch_idle_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(*ParseDuration(watch_idle));
  unsigned lo = 0, hi = 0;
  char dash = 0;
  std::istringstream ports(snat_ports);
  if (!(ports >> lo >> dash >> hi) || dash != '-' || lo < 1024 || hi > 65535 || lo > hi || !ports.eof()) {
    std::cerr << "sluice-agent: --snat-port-range must be LOW-HIGH within 1024-65535, got " << snat_ports
              << "\n";
    return 2;
  }
  o->snat_port_min = static_cast<uint16_t>(lo);
  o->snat_port_max = static_cast<uint16_t>(hi);
  try {
    o->maglev_table_size = maglev::LargestTableSizeAtMost(o->maglev_table_size);
  } catch (const std::exception& e) {
    std::cerr << "sluice-agent: --maglev-table-size: " << e.what() << "\n";
    return 2;
  }
  if (!o->manifests_dir.empty() && (!o->kubeconfig.empty() || !o->master.empty())) {
    std::cerr << "sluice-agent: --manifests and --kubeconfig/--master are two sources; pick one\n";
    return 2;
  }
  return -1;
}

}  // namespace sluice::agent
