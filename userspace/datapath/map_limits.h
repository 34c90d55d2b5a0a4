// Sizes of the maps the agent creates: the defaults of include/sluice/limits.h,
// overridable by flags. Applied only when a map is created; a map adopted from an
// earlier run keeps the size it was made with.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "sluice/abi.h"

namespace sluice::datapath {

struct MapLimits {
  uint32_t services = SLUICE_MAX_SERVICES;
  uint32_t backends = SLUICE_MAX_BACKENDS;
  uint32_t slots = SLUICE_MAX_SLOTS;
  uint32_t sock_rev_nat = SLUICE_MAX_SOCK_REV_NAT;
  uint32_t maglev_slots = SLUICE_MAX_MAGLEV_ENTRIES;  // the map holds them in pairs
  uint32_t conntrack = SLUICE_MAX_CT;                  // flows; the NAT map is as large
  uint32_t affinity = SLUICE_MAX_AFFINITY;

  // The configured size of a map by its pinned name; nullopt for maps whose size is
  // fixed by the ABI (counters).
  std::optional<uint32_t> For(std::string_view map_name) const {
    if (map_name == SLUICE_MAP_SERVICES || map_name == SLUICE_MAP_SERVICE_META) return services;
    if (map_name == SLUICE_MAP_SVC_STATS) return services + 1;  // indexed by frontend id
    if (map_name == SLUICE_MAP_BACKENDS) return backends;
    if (map_name == SLUICE_MAP_SLOTS) return slots;
    if (map_name == SLUICE_MAP_SOCK_REV_NAT) return sock_rev_nat;
    if (map_name == SLUICE_MAP_MAGLEV) return (maglev_slots + 1) / 2;
    if (map_name == SLUICE_MAP_CT || map_name == SLUICE_MAP_NAT) return conntrack;
    if (map_name == SLUICE_MAP_AFFINITY) return affinity;
    return std::nullopt;
  }
};

}  // namespace sluice::datapath
