// A consistent-enough picture of what the maps hold, for people (sluicectl) and for
// tests: every frontend with the backends of its live slot generation.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "datapath/map_set.h"
#include "model/lb_state.h"

namespace sluice::datapath {

struct SnapshotBackend {
  uint32_t id = 0;
  model::Backend backend;
  uint8_t flags = 0;  // LB_BE_F_*
};

struct SnapshotFrontend {
  uint32_t id = 0;
  model::FrontendKey key;
  model::FrontendType type = model::FrontendType::kClusterIP;
  std::string service;  // from the metadata map; "" if missing
  std::string port_name;
  uint16_t flags = 0;
  uint32_t affinity_timeout = 0;
  uint8_t gen = 0;
  std::vector<SnapshotBackend> backends;  // slot order
  uint32_t missing_slots = 0;             // slots the entry names but the maps lack
};

struct MapUsage {
  std::string name;
  uint32_t entries = 0;
  uint32_t capacity = 0;
};

struct Snapshot {
  std::vector<SnapshotFrontend> frontends;      // sorted by service, type, then key
  std::map<uint32_t, SnapshotBackend> backends;  // every backend entry by id
  std::vector<MapUsage> usage;
};

Snapshot ReadSnapshot(MapSet& maps);

}  // namespace sluice::datapath
