#include "cli/maglev_view.h"

#include <cstdio>
#include <map>
#include <set>

#include "cli/format.h"
#include "cli/table.h"

namespace sluice::cli {
namespace {

using nlohmann::json;

// Who holds how many slots: the frontend's live backends first (slot order, 0 slots
// included: a backend without slots gets no new flows), then ids the table names that
// are not live backends of the frontend, then empty slots (id 0).
struct Holder {
  uint32_t id = 0;
  uint32_t slots = 0;
  bool live = true;  // one of the frontend's live backends
};

std::vector<Holder> Holders(const MaglevShow& show) {
  std::map<uint32_t, uint32_t> counts;
  for (uint32_t id : show.table.slots) ++counts[id];
  std::vector<Holder> out;
  std::set<uint32_t> seen;
  for (const auto& b : show.frontend->backends)
    if (seen.insert(b.id).second) out.push_back({b.id, counts.count(b.id) ? counts[b.id] : 0, true});
  for (const auto& [id, n] : counts)
    if (id != 0 && !seen.count(id)) out.push_back({id, n, false});
  return out;
}

std::string Share(uint32_t slots, uint32_t size) {
  if (size == 0) return "-";
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%.1f%%", 100.0 * slots / size);
  return buf;
}

uint32_t EmptySlots(const MaglevTable& t) {
  uint32_t n = 0;
  for (uint32_t id : t.slots) n += id == 0;
  return n;
}

std::string Range(const MaglevTable& t) {
  return "[" + std::to_string(t.offset) + ", " + std::to_string(uint64_t{t.offset} + t.size) + ")";
}

}  // namespace

json MaglevJson(const datapath::Snapshot& snap, const std::vector<MaglevShow>& shows) {
  json out = json::array();
  for (const auto& s : shows) {
    const auto& fe = *s.frontend;
    json holders = json::array();
    for (const auto& h : Holders(s)) {
      auto b = snap.backends.find(h.id);
      json j = {{"id", h.id},
                {"backend", BackendLabel(snap, h.id)},
                {"slots", h.slots},
                {"share", s.table.size ? static_cast<double>(h.slots) / s.table.size : 0.0},
                {"live", h.live}};
      if (b != snap.backends.end()) {
        j["address"] = b->second.backend.address.ToString();
        j["port"] = b->second.backend.port;
        j["local"] = b->second.backend.local;
        j["terminating"] = b->second.backend.terminating;
      }
      holders.push_back(j);
    }
    out.push_back({{"id", fe.id},
                   {"frontend", fe.key.address.WithPort(fe.key.port)},
                   {"protocol", model::ProtocolName(fe.key.protocol)},
                   {"type", model::FrontendTypeName(fe.type)},
                   {"service", fe.service},
                   {"port_name", fe.port_name},
                   {"table_size", s.table.size},
                   {"offset", s.table.offset},
                   {"readable", s.table.readable},
                   {"empty_slots", EmptySlots(s.table)},
                   {"backends", holders},
                   {"slots", s.table.slots}});
  }
  return out;
}

void PrintMaglev(const datapath::Snapshot& snap, const std::vector<MaglevShow>& shows,
                 std::ostream& out) {
  bool first = true;
  for (const auto& s : shows) {
    const auto& fe = *s.frontend;
    if (!first) out << '\n';
    first = false;
    out << ServiceLabel(fe) << "  " << fe.key.address.WithPort(fe.key.port) << '/'
        << model::ProtocolName(fe.key.protocol) << "  " << model::FrontendTypeName(fe.type) << '\n';
    if (s.table.size == 0) {
      out << "no Maglev table: "
          << (fe.backends.empty() ? "no backends, new flows are refused"
                                  : "new flows pick one of the live slots by the flow hash")
          << '\n';
      continue;
    }
    out << "M=" << s.table.size << ", live range sluice_maglev" << Range(s.table);
    if (!s.table.readable) {
      out << ": outside the array, not readable (the datapath refuses these flows)\n";
      continue;
    }
    const uint32_t empty = EmptySlots(s.table);
    if (empty) out << ", " << empty << " empty slots (flows hashed there are refused)";
    out << '\n';
    TextTable table({"BACKEND", "ID", "SLOTS", "SHARE", "NOTE"});
    for (const auto& h : Holders(s)) {
      std::string note;
      auto b = snap.backends.find(h.id);
      if (!h.live) note = "not a live backend of this frontend";
      else if (h.slots == 0) note = "no slots: gets no new flows";
      else if (b != snap.backends.end() && b->second.backend.terminating) note = "terminating";
      if (b != snap.backends.end() && b->second.backend.local) note += note.empty() ? "local" : ", local";
      table.AddRow({BackendLabel(snap, h.id), std::to_string(h.id), std::to_string(h.slots),
                    Share(h.slots, s.table.size), note});
    }
    table.Print(out);
  }
}

}  // namespace sluice::cli
