// What the packet path's maps hold, read once for one sluicectl command: raw frontend
// entries (Maglev ranges, affinity timeouts), tracked flows, affinities and the maps'
// usage. Views are functions of this and of datapath::Snapshot.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "datapath/map_set.h"
#include "datapath/snapshot.h"

namespace sluice::cli {

struct CtFlow {
  ct_key key{};
  ct_entry entry{};
};

struct AffinityRecord {
  affinity_key key{};
  affinity_entry entry{};
};

// One external frontend's live Maglev table.
struct MaglevTable {
  uint32_t frontend_id = 0;
  uint32_t offset = 0;
  uint32_t size = 0;             // M
  std::vector<uint32_t> slots;   // backend ids, slot order; empty if unreadable
  bool readable = false;         // the range lies inside the array
};

struct PacketSnapshot {
  uint64_t now_ns = 0;                      // CLOCK_MONOTONIC when read
  std::map<uint32_t, lb_service> services;  // every frontend entry by frontend id
  std::vector<CtFlow> flows;
  std::vector<AffinityRecord> affinities;
  std::vector<datapath::MapUsage> usage;    // ct, nat, affinity, source ranges, Maglev
};

// Reads everything but the Maglev slots (which can be millions: read per frontend).
PacketSnapshot ReadPacketSnapshot(datapath::MapSet& maps, uint64_t now_ns);

MaglevTable ReadMaglevTable(const datapath::MapSet& maps, uint32_t frontend_id,
                            const lb_service& entry);

}  // namespace sluice::cli
