// sluicectl: reads sluice's pinned maps directly (the agent may be running or not)
// and shows what the datapath will do.
//
// Exit codes: 0 answered (whatever the answer: "dropped" is an answer), 1 the maps
// could not be read or nothing matches what was named, 2 the command line is wrong.
#include <time.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <stdexcept>

#include "cli/explain_view.h"
#include "cli/flow_views.h"
#include "cli/maglev_view.h"
#include "cli/packet_snapshot.h"
#include "cli/selector.h"
#include "cli/views.h"
#include "datapath/bpf_map_set.h"
#include "datapath/explain.h"
#include "datapath/pin_paths.h"
#include "datapath/snapshot.h"

namespace {

using namespace sluice;

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// An answer that is not there: printed as an error, exit code 1.
class NotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns(): conntrack and affinity times.
uint64_t MonotonicNowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

void Emit(bool json, const nlohmann::json& doc, const std::function<void(std::ostream&)>& table) {
  if (json)
    std::cout << doc.dump(2) << '\n';
  else
    table(std::cout);
}

// `maglev show SERVICE`: the external frontends SERVICE names, each with its table.
std::vector<cli::MaglevShow> MaglevShows(datapath::MapSet& maps, const datapath::Snapshot& snap,
                                         const cli::FrontendSelector& sel) {
  auto matches = cli::MatchFrontends(snap, sel, model::Scope::kExternal);
  if (matches.empty()) {
    if (!cli::MatchFrontends(snap, sel, model::Scope::kInternal).empty())
      throw NotFound(sel.ToString() +
                     " has no external frontend (NodePort, LoadBalancer or externalIPs): only "
                     "those have Maglev tables; its ClusterIPs are balanced per socket");
    throw NotFound("no frontend matches " + sel.ToString());
  }
  std::map<uint32_t, lb_service> entries;
  maps.services().ForEach([&](const lb_service_key&, const lb_service& svc) {
    entries[svc.id] = svc;
    return true;
  });
  std::vector<cli::MaglevShow> shows;
  for (const auto* fe : matches) {
    auto entry = entries.find(fe->id);
    if (entry == entries.end()) continue;  // deleted since the snapshot
    shows.push_back({fe, cli::ReadMaglevTable(maps, fe->id, entry->second)});
  }
  return shows;
}

datapath::FlowQuery ParseFlow(const std::string& proto, const std::string& src,
                              const std::string& dst, const std::string& scope) {
  datapath::FlowQuery q;
  q.protocol = proto == "udp" ? model::Protocol::kUdp : model::Protocol::kTcp;
  q.scope = scope == "external" ? model::Scope::kExternal : model::Scope::kInternal;
  q.pod_packet = scope == "pod";
  auto s = cli::ParseEndpoint(src);
  if (!s) throw std::invalid_argument("--src \"" + src + "\" is not IP:PORT ([IPv6]:PORT)");
  auto d = cli::ParseEndpoint(dst);
  if (!d) throw std::invalid_argument("--dst \"" + dst + "\" is not IP:PORT ([IPv6]:PORT)");
  if (s->address.family() != d->address.family())
    throw std::invalid_argument("--src " + src + " and --dst " + dst +
                                " are of different address families");
  q.src = s->address;
  q.src_port = s->port;
  q.dst = d->address;
  q.dst_port = d->port;
  return q;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sluicectl: inspect sluice's BPF maps"};
  app.require_subcommand(1);
  std::string bpffs = datapath::kDefaultBpffsDir;
  std::string output = "table";
  app.add_option("--bpffs", bpffs, "sluice's bpffs directory (as given to sluice-agent)")
      ->capture_default_str();
  app.add_option("-o,--output", output, "output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();

  auto* service = app.add_subcommand("service", "frontends and their backends");
  service->require_subcommand(1);
  auto* service_list = service->add_subcommand("list", "every frontend with its backends");
  auto* backend = app.add_subcommand("backend", "backends shared by frontends");
  backend->require_subcommand(1);
  auto* backend_list = backend->add_subcommand("list", "every backend and how many frontends use it");
  auto* stats = app.add_subcommand("stats", "datapath counters by name, map usage");

  auto* maglev = app.add_subcommand("maglev", "Maglev tables of external frontends");
  maglev->require_subcommand(1);
  auto* maglev_show = maglev->add_subcommand(
      "show", "table size, live range and each backend's share of the slots");
  std::string maglev_service;
  maglev_show
      ->add_option("SERVICE", maglev_service,
                   "namespace/name[:portname], or a frontend IP:PORT/PROTO")
      ->required();

  auto* ct = app.add_subcommand("ct", "the packet path's connection tracking");
  ct->require_subcommand(1);
  auto* ct_list = ct->add_subcommand("list", "every tracked flow and the backend it is pinned to");
  auto* affinity = app.add_subcommand("affinity", "sessionAffinity: ClientIP state");
  affinity->require_subcommand(1);
  auto* affinity_list = affinity->add_subcommand("list", "every client's backend and whether it holds");

  auto* explain = app.add_subcommand("explain", "which backend gets a flow, and why");
  std::string proto, src, dst, scope = "external";
  explain->add_option("--proto", proto, "tcp or udp")->required()->check(CLI::IsMember({"tcp", "udp"}));
  explain->add_option("--src", src, "client IP:PORT")->required();
  explain->add_option("--dst", dst, "frontend IP:PORT")->required();
  explain
      ->add_option("--scope", scope,
                   "external: a packet from outside the node (NodePort, LoadBalancer, externalIPs); "
                   "internal: a socket on the node (ClusterIP); pod: a packet from a local Pod "
                   "whose socket the cgroup hooks did not translate (ClusterIP at tc)")
      ->check(CLI::IsMember({"external", "internal", "pod"}))
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }
  const bool json = output == "json";
  // What the user named is checked before the maps are opened: a typo is a usage error
  // whether or not the maps are there.
  datapath::FlowQuery query;
  cli::FrontendSelector selector;
  try {
    if (*explain) query = ParseFlow(proto, src, dst, scope);
    if (*maglev_show) selector = cli::ParseFrontendSelector(maglev_service);
  } catch (const std::exception& e) {
    std::cerr << "sluicectl: " << e.what() << '\n';
    return kExitUsage;
  }
  try {
    auto maps = datapath::BpfMapSet::OpenPinned(bpffs, /*read_only=*/true);
    if (*explain) {
      const datapath::FlowQuery& q = query;
      const uint64_t now = MonotonicNowNs();
      datapath::Explanation ex = datapath::ExplainFlow(*maps, q, now);
      Emit(json, cli::ExplainJson(ex, now), [&](std::ostream& o) { cli::PrintExplain(ex, now, o); });
      return 0;
    }
    datapath::Snapshot snap = datapath::ReadSnapshot(*maps);
    if (*service_list) {
      Emit(json, cli::ServicesJson(snap), [&](std::ostream& o) { cli::PrintServices(snap, o); });
    } else if (*backend_list) {
      Emit(json, cli::BackendsJson(snap), [&](std::ostream& o) { cli::PrintBackends(snap, o); });
    } else if (*maglev_show) {
      auto shows = MaglevShows(*maps, snap, selector);
      Emit(json, cli::MaglevJson(snap, shows), [&](std::ostream& o) { cli::PrintMaglev(snap, shows, o); });
    } else {
      cli::PacketSnapshot packet = cli::ReadPacketSnapshot(*maps, MonotonicNowNs());
      if (*ct_list) {
        Emit(json, cli::ConntrackJson(snap, packet),
             [&](std::ostream& o) { cli::PrintConntrack(snap, packet, o); });
      } else if (*affinity_list) {
        Emit(json, cli::AffinityJson(snap, packet),
             [&](std::ostream& o) { cli::PrintAffinity(snap, packet, o); });
      } else if (*stats) {
        snap.usage.insert(snap.usage.end(), packet.usage.begin(), packet.usage.end());
        auto counters = maps->ReadCounters();
        Emit(json, cli::StatsJson(counters, snap),
             [&](std::ostream& o) { cli::PrintStats(counters, snap, o); });
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "sluicectl: " << e.what() << '\n';
    return kExitFailed;
  }
  return 0;
}
