#include "maglev/table_diff.h"

namespace sluice::maglev {

std::vector<SlotChange> DiffTables(std::span<const uint32_t> before,
                                   std::span<const uint32_t> after) {
  std::vector<SlotChange> changes;
  const bool same_size = before.size() == after.size();
  for (size_t i = 0; i < after.size(); ++i) {
    if (!same_size || before[i] != after[i]) {
      changes.push_back({static_cast<uint32_t>(i), after[i]});
    }
  }
  return changes;
}

}  // namespace sluice::maglev
