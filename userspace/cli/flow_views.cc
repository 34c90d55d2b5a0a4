#include "cli/flow_views.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <tuple>

#include "cli/format.h"
#include "cli/table.h"
#include "datapath/convert.h"
#include "datapath/explain.h"

namespace sluice::cli {
namespace {

using nlohmann::json;

constexpr uint64_t kNsPerSec = 1000000000ull;

// A tracked flow with everything a row needs, resolved once.
struct FlowRow {
  std::string service;
  std::string proto;
  std::string client;
  std::string frontend;
  std::string backend;
  bool backend_gone = false;
  bool snat = false;
  uint16_t snat_port = 0;
  uint64_t age_ns = 0;
  uint64_t idle_ns = 0;
  uint32_t backend_id = 0;
  uint32_t svc_id = 0;
};

std::string ServiceOf(const std::map<uint32_t, const datapath::SnapshotFrontend*>& index,
                      uint32_t svc_id) {
  auto it = index.find(svc_id);
  return it == index.end() ? "? (frontend " + std::to_string(svc_id) + " gone)"
                           : ServiceLabel(*it->second);
}

std::vector<FlowRow> FlowRows(const datapath::Snapshot& snap, const PacketSnapshot& packet) {
  auto index = IndexFrontends(snap);
  std::vector<FlowRow> rows;
  for (const auto& f : packet.flows) {
    FlowRow r;
    r.service = ServiceOf(index, f.entry.svc_id);
    r.proto = datapath::IpProtoName(f.key.proto);
    r.client = AddrPort(f.key.saddr, f.key.family, f.key.sport);
    r.frontend = AddrPort(f.key.daddr, f.key.family, f.key.dport);
    r.backend = BackendLabel(snap, f.entry.backend_id);
    r.backend_gone = !snap.backends.count(f.entry.backend_id);
    r.snat = f.entry.flags & CT_F_SNAT;
    r.snat_port = ntohs(f.entry.nat_port);
    r.age_ns = Since(packet.now_ns, f.entry.created_ns);
    r.idle_ns = Since(packet.now_ns, f.entry.last_seen_ns);
    r.backend_id = f.entry.backend_id;
    r.svc_id = f.entry.svc_id;
    rows.push_back(std::move(r));
  }
  std::sort(rows.begin(), rows.end(), [](const FlowRow& a, const FlowRow& b) {
    return std::tie(a.service, a.frontend, a.client) < std::tie(b.service, b.frontend, b.client);
  });
  return rows;
}

// A session affinity resolved: whose, of which frontend, still valid and why not.
struct AffinityRow {
  std::string service;
  std::string frontend;
  std::string client;
  bool socket = false;  // keyed by network namespace (socket path)
  uint64_t netns_cookie = 0;
  std::string backend;
  uint32_t backend_id = 0;
  uint32_t svc_id = 0;
  uint64_t idle_ns = 0;
  uint32_t timeout_s = 0;
  bool valid = false;
  std::string why;  // when not valid
};

std::vector<AffinityRow> AffinityRows(const datapath::Snapshot& snap, const PacketSnapshot& packet) {
  auto index = IndexFrontends(snap);
  std::vector<AffinityRow> rows;
  for (const auto& a : packet.affinities) {
    AffinityRow r;
    r.svc_id = a.key.svc_id;
    r.service = ServiceOf(index, a.key.svc_id);
    if (auto fe = index.find(a.key.svc_id); fe != index.end())
      r.frontend = fe->second->key.address.WithPort(fe->second->key.port) + "/" +
                   model::ProtocolName(fe->second->key.protocol);
    r.socket = a.key.family == 0;
    if (r.socket) {
      std::memcpy(&r.netns_cookie, a.key.client.bytes, sizeof(r.netns_cookie));
      r.client = "netns " + std::to_string(r.netns_cookie);
    } else {
      r.client = Addr(a.key.client, a.key.family);
    }
    r.backend_id = a.entry.backend_id;
    r.backend = BackendLabel(snap, a.entry.backend_id);
    r.idle_ns = Since(packet.now_ns, a.entry.last_used_ns);
    auto svc = packet.services.find(a.key.svc_id);
    auto be = snap.backends.find(a.entry.backend_id);
    if (svc == packet.services.end()) {
      r.why = "frontend gone";
    } else if (!(svc->second.flags & LB_SVC_F_AFFINITY)) {
      r.timeout_s = svc->second.affinity_timeout;
      r.why = "affinity turned off";
    } else {
      r.timeout_s = svc->second.affinity_timeout;
      std::optional<lb_backend> entry;
      if (be != snap.backends.end()) entry = datapath::ToBackend(be->second.backend);
      r.why = datapath::AffinityProblem(a.entry, r.timeout_s, entry ? &*entry : nullptr,
                                        packet.now_ns);
    }
    r.valid = r.why.empty();
    rows.push_back(std::move(r));
  }
  std::sort(rows.begin(), rows.end(), [](const AffinityRow& a, const AffinityRow& b) {
    return std::tie(a.service, a.frontend, a.client) < std::tie(b.service, b.frontend, b.client);
  });
  return rows;
}

}  // namespace

json ConntrackJson(const datapath::Snapshot& snap, const PacketSnapshot& packet) {
  json out = json::array();
  for (const auto& r : FlowRows(snap, packet)) {
    json j = {{"protocol", r.proto},
              {"client", r.client},
              {"frontend", r.frontend},
              {"backend", r.backend},
              {"backend_id", r.backend_id},
              {"backend_gone", r.backend_gone},
              {"snat", r.snat},
              {"age_seconds", Seconds(r.age_ns)},
              {"idle_seconds", Seconds(r.idle_ns)},
              {"frontend_id", r.svc_id},
              {"service", r.service}};
    if (r.snat) j["snat_port"] = r.snat_port;
    out.push_back(j);
  }
  return out;
}

void PrintConntrack(const datapath::Snapshot& snap, const PacketSnapshot& packet, std::ostream& out) {
  auto rows = FlowRows(snap, packet);
  if (rows.empty()) {
    out << "no tracked flows (the packet path has seen no traffic to an external frontend)\n";
    return;
  }
  TextTable table({"PROTO", "CLIENT", "FRONTEND", "BACKEND", "SNAT", "AGE", "IDLE", "SERVICE"});
  for (const auto& r : rows)
    table.AddRow({r.proto, r.client, r.frontend, r.backend,
                  r.snat ? std::to_string(r.snat_port) : "-", Duration(r.age_ns),
                  Duration(r.idle_ns), r.service});
  table.Print(out);
}

json AffinityJson(const datapath::Snapshot& snap, const PacketSnapshot& packet) {
  json out = json::array();
  for (const auto& r : AffinityRows(snap, packet)) {
    json j = {{"service", r.service},
              {"frontend", r.frontend},
              {"frontend_id", r.svc_id},
              {"path", r.socket ? "socket" : "packet"},
              {"backend", r.backend},
              {"backend_id", r.backend_id},
              {"idle_seconds", Seconds(r.idle_ns)},
              {"timeout_seconds", r.timeout_s},
              {"valid", r.valid}};
    if (r.socket)
      j["netns_cookie"] = r.netns_cookie;
    else
      j["client"] = r.client;
    if (!r.valid) j["invalid_reason"] = r.why;
    out.push_back(j);
  }
  return out;
}

void PrintAffinity(const datapath::Snapshot& snap, const PacketSnapshot& packet, std::ostream& out) {
  auto rows = AffinityRows(snap, packet);
  if (rows.empty()) {
    out << "no session affinities (no client of a sessionAffinity: ClientIP Service yet)\n";
    return;
  }
  TextTable table({"SERVICE", "FRONTEND", "CLIENT", "BACKEND", "LAST USED", "TIMEOUT", "VALID"});
  for (const auto& r : rows)
    table.AddRow({r.service, r.frontend, r.client, r.backend, Duration(r.idle_ns) + " ago",
                  r.timeout_s ? Duration(uint64_t{r.timeout_s} * kNsPerSec) : "-",
                  r.valid ? "yes" : "no (" + r.why + ")"});
  table.Print(out);
}

}  // namespace sluice::cli
