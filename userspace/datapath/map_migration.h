// Upgrading maps an earlier run pinned, instead of recreating them empty: a map whose
// size changed (a new --lb-map-max, --ct-map-max, ...) or whose layout changed between
// sluice versions is created anew at load, its entries are copied (and converted) into
// it, and the pin is swapped to it. The programs of the earlier run keep writing the
// old map until the new programs are swapped into their links; Finish() then copies
// what they wrote meanwhile (flows, affinity) and lets the old maps go.
//
// A layout with no known conversion is refused with an error that names the map:
// silently starting from an empty map would drop every Service and flow.
#pragma once

#include <bpf/bpf.h>

#include <string>
#include <vector>

#include "datapath/bpf_map_set.h"

struct bpf_map;
struct bpf_object;

namespace sluice::datapath {

class MapMigrations {
 public:
  MapMigrations() = default;
  MapMigrations(const MapMigrations&) = delete;
  MapMigrations& operator=(const MapMigrations&) = delete;

  // The pinned map at `pin_path` (open as `old_fd`) cannot be reused for `map`: plans
  // its migration. Throws DatapathError when there is no way to carry its entries over.
  void Plan(const bpf_map* map, const std::string& pin_path, UniqueFd old_fd, const bpf_map_info& old_info);

  // After `obj` is loaded: copies the planned maps' entries into its new maps and
  // swaps their pins to the new maps.
  void CopyAndRepin(bpf_object* obj);

  // After every program is attached: copies what the old programs wrote since, then
  // closes the old maps. Returns how many maps were migrated.
  int Finish();

  bool pending() const { return !pending_.empty(); }

 private:
  enum class Conversion {
    kSameLayout,       // only the size (or hash flavour) differs
    kMaglevU32ToPair,  // sluice_maglev before slot pairs: one __u32 slot per element
  };
  struct Pending {
    std::string name;
    std::string pin_path;
    UniqueFd old_fd;
    bpf_map_info old_info{};
    Conversion conversion = Conversion::kSameLayout;
    UniqueFd new_fd;  // after CopyAndRepin
    bpf_map_info new_info{};
    size_t copied = 0;
    size_t lost = 0;
  };

  void Copy(Pending& p, bool only_missing);

  std::vector<Pending> pending_;
};

}  // namespace sluice::datapath
