// sluice's directory on a bpf filesystem: checking it, pinning maps into it and
// adopting the maps an earlier run pinned there.
#pragma once

#include <string>

#include "datapath/map_limits.h"
#include "datapath/map_migration.h"

struct bpf_object;

namespace sluice::datapath {

// Creates `dir` and its maps/ and links/ subdirectories. Throws DatapathError when
// `dir` would not be on a bpf filesystem (with the mount command that fixes it).
void PrepareBpffsDir(const std::string& dir);

// Before load: every map of `obj` that is pinned under `dir` with this build's shape
// and size is reused (the earlier run's state is kept); one of another size or an
// older layout is planned for migration (`migrations`); the others get their size
// from `limits`. Throws when a pinned map cannot be carried over.
void AdoptPinnedMaps(bpf_object* obj, const std::string& dir, const MapLimits& limits,
                     MapMigrations& migrations);

// After load: carries migrated maps' entries over and swaps their pins, then pins
// every map of `obj` that is not pinned yet.
void PinMaps(bpf_object* obj, const std::string& dir, MapMigrations& migrations);

// Removes every pin sluice made under `dir` (links first: that detaches the
// programs), then the directories. Returns how many pins were removed.
int RemovePins(const std::string& dir);

}  // namespace sluice::datapath
