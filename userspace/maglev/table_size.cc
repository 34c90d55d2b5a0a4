#include "maglev/table_size.h"

#include <stdexcept>
#include <string>

namespace sluice::maglev {

bool IsPrime(uint32_t n) {
  if (n < 2) return false;
  if (n % 2 == 0) return n == 2;
  for (uint32_t d = 3; uint64_t{d} * d <= n; d += 2) {
    if (n % d == 0) return false;
  }
  return true;
}

uint32_t LargestTableSizeAtMost(uint32_t max_size) {
  if (max_size < kTableSizes.front()) {
    throw std::invalid_argument("--maglev-table-size " + std::to_string(max_size) +
                                " is below the smallest Maglev table size " +
                                std::to_string(kTableSizes.front()));
  }
  uint32_t largest = kTableSizes.front();
  for (const uint32_t size : kTableSizes) {
    if (size <= max_size) largest = size;
  }
  return largest;
}

uint32_t ChooseTableSize(size_t backends, uint32_t max_size) {
  const uint32_t cap = LargestTableSizeAtMost(max_size);
  const uint64_t wanted = uint64_t{kSlotsPerBackend} * backends;
  for (const uint32_t size : kTableSizes) {
    if (size >= cap || size >= wanted) return size;
  }
  return cap;
}

}  // namespace sluice::maglev
