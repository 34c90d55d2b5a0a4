#include "cli/views.h"

#include <map>
#include <set>

#include "cli/format.h"
#include "cli/table.h"
#include "datapath/convert.h"
#include "sluice/counters.h"

namespace sluice::cli {
namespace {

using nlohmann::json;

std::vector<std::string> FlagNames(uint16_t flags) {
  std::vector<std::string> names;
  if (flags & LB_SVC_F_AFFINITY) names.push_back("affinity");
  if (flags & LB_SVC_F_LOCAL_ONLY) names.push_back("local-only");
  return names;
}

std::string Join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

std::string BackendState(const datapath::SnapshotBackend& b) {
  return b.backend.terminating ? "terminating" : "active";
}

struct CounterInfo {
  const char* name;
  const char* help;
};

const CounterInfo kCounters[] = {
#define SLUICE_COUNTER_INFO(id, str, help) {str, help},
    SLUICE_COUNTERS(SLUICE_COUNTER_INFO)
#undef SLUICE_COUNTER_INFO
};

}  // namespace

json ServicesJson(const datapath::Snapshot& snap) {
  json out = json::array();
  for (const auto& fe : snap.frontends) {
    json backends = json::array();
    for (const auto& b : fe.backends)
      backends.push_back({{"id", b.id},
                          {"address", b.backend.address.ToString()},
                          {"port", b.backend.port},
                          {"state", BackendState(b)},
                          {"local", b.backend.local}});
    out.push_back({{"id", fe.id},
                   {"frontend", fe.key.address.WithPort(fe.key.port)},
                   {"address", fe.key.address.ToString()},
                   {"port", fe.key.port},
                   {"protocol", model::ProtocolName(fe.key.protocol)},
                   {"scope", model::ScopeName(fe.key.scope)},
                   {"type", model::FrontendTypeName(fe.type)},
                   {"service", fe.service},
                   {"port_name", fe.port_name},
                   {"flags", FlagNames(fe.flags)},
                   {"affinity_timeout", fe.affinity_timeout},
                   {"backends", backends},
                   {"missing_slots", fe.missing_slots}});
  }
  return out;
}

void PrintServices(const datapath::Snapshot& snap, std::ostream& out) {
  TextTable table({"ID", "FRONTEND", "PROTO", "TYPE", "SCOPE", "SERVICE", "FLAGS", "BACKENDS"});
  for (const auto& fe : snap.frontends) {
    std::vector<std::string> row = {std::to_string(fe.id),
                                    fe.key.address.WithPort(fe.key.port),
                                    model::ProtocolName(fe.key.protocol),
                                    model::FrontendTypeName(fe.type),
                                    model::ScopeName(fe.key.scope),
                                    ServiceLabel(fe),
                                    Join(FlagNames(fe.flags), ",")};
    if (fe.backends.empty()) {
      row.push_back(fe.missing_slots ? "(slots missing)" : "(none: refuses)");
      table.AddRow(row);
      continue;
    }
    // One backend per line, the frontend's columns only on the first.
    for (size_t i = 0; i < fe.backends.size(); ++i) {
      const auto& b = fe.backends[i];
      std::string cell = b.backend.address.WithPort(b.backend.port);
      if (b.backend.terminating) cell += " (terminating)";
      if (i == 0) {
        row.push_back(cell);
        table.AddRow(row);
      } else {
        table.AddRow({"", "", "", "", "", "", "", cell});
      }
    }
  }
  table.Print(out);
}

json BackendsJson(const datapath::Snapshot& snap) {
  std::map<uint32_t, int> users;
  for (const auto& fe : snap.frontends)
    for (const auto& b : fe.backends) ++users[b.id];
  json out = json::array();
  for (const auto& [id, b] : snap.backends)
    out.push_back({{"id", id},
                   {"address", b.backend.address.ToString()},
                   {"port", b.backend.port},
                   {"protocol", model::ProtocolName(b.backend.protocol)},
                   {"state", BackendState(b)},
                   {"local", b.backend.local},
                   {"frontends", users[id]}});
  return out;
}

void PrintBackends(const datapath::Snapshot& snap, std::ostream& out) {
  std::map<uint32_t, int> users;
  for (const auto& fe : snap.frontends)
    for (const auto& b : fe.backends) ++users[b.id];
  TextTable table({"ID", "BACKEND", "PROTO", "STATE", "LOCAL", "FRONTENDS"});
  for (const auto& [id, b] : snap.backends)
    table.AddRow({std::to_string(id), b.backend.address.WithPort(b.backend.port),
                  model::ProtocolName(b.backend.protocol), BackendState(b),
                  b.backend.local ? "yes" : "no", std::to_string(users[id])});
  table.Print(out);
}

json StatsJson(const std::vector<uint64_t>& counters, const datapath::Snapshot& snap) {
  json c = json::object();
  for (size_t i = 0; i < counters.size() && i < SLUICE_CTR_MAX; ++i) c[kCounters[i].name] = counters[i];
  json maps = json::array();
  for (const auto& u : snap.usage)
    maps.push_back({{"map", u.name}, {"entries", u.entries}, {"capacity", u.capacity}});
  return {{"counters", c}, {"maps", maps}};
}

void PrintStats(const std::vector<uint64_t>& counters, const datapath::Snapshot& snap,
                std::ostream& out) {
  TextTable table({"COUNTER", "VALUE", "MEANING"});
  for (size_t i = 0; i < counters.size() && i < SLUICE_CTR_MAX; ++i)
    table.AddRow({kCounters[i].name, std::to_string(counters[i]), kCounters[i].help});
  table.Print(out);
  out << '\n';
  TextTable maps({"MAP", "ENTRIES", "CAPACITY"});
  for (const auto& u : snap.usage)
    maps.AddRow({u.name, std::to_string(u.entries), std::to_string(u.capacity)});
  maps.Print(out);
}

}  // namespace sluice::cli
