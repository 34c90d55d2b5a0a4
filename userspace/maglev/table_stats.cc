#include "maglev/table_stats.h"

namespace sluice::maglev {

std::map<uint32_t, uint32_t> CountSlots(std::span<const uint32_t> table) {
  std::map<uint32_t, uint32_t> counts;
  for (const uint32_t value : table) ++counts[value];
  return counts;
}

}  // namespace sluice::maglev
