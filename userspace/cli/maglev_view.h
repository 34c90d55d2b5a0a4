// `sluicectl maglev show`: per external frontend, its live Maglev table (size M and
// where it lives in sluice_maglev) and how many slots each backend holds.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "cli/packet_snapshot.h"
#include "datapath/snapshot.h"

namespace sluice::cli {

struct MaglevShow {
  const datapath::SnapshotFrontend* frontend = nullptr;
  MaglevTable table;
};

// One entry per table, with the full slot -> backend id list.
nlohmann::json MaglevJson(const datapath::Snapshot& snap, const std::vector<MaglevShow>& shows);
void PrintMaglev(const datapath::Snapshot& snap, const std::vector<MaglevShow>& shows,
                 std::ostream& out);

}  // namespace sluice::cli
