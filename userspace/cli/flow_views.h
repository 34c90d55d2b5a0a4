// `sluicectl ct list` and `sluicectl affinity list`: the packet path's tracked flows
// and the session affinities of both paths, with names and ages for people.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/packet_snapshot.h"
#include "datapath/snapshot.h"

namespace sluice::cli {

nlohmann::json ConntrackJson(const datapath::Snapshot& snap, const PacketSnapshot& packet);
void PrintConntrack(const datapath::Snapshot& snap, const PacketSnapshot& packet, std::ostream& out);

nlohmann::json AffinityJson(const datapath::Snapshot& snap, const PacketSnapshot& packet);
void PrintAffinity(const datapath::Snapshot& snap, const PacketSnapshot& packet, std::ostream& out);

}  // namespace sluice::cli
