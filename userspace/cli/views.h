// What sluicectl prints, as functions of a map snapshot: a table for people, JSON
// for scripts. Kept apart from main() so tests can check the output.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "datapath/snapshot.h"

namespace sluice::cli {

nlohmann::json ServicesJson(const datapath::Snapshot& snap);
void PrintServices(const datapath::Snapshot& snap, std::ostream& out);

nlohmann::json BackendsJson(const datapath::Snapshot& snap);
void PrintBackends(const datapath::Snapshot& snap, std::ostream& out);

nlohmann::json StatsJson(const std::vector<uint64_t>& counters, const datapath::Snapshot& snap);
void PrintStats(const std::vector<uint64_t>& counters, const datapath::Snapshot& snap,
                std::ostream& out);

}  // namespace sluice::cli
