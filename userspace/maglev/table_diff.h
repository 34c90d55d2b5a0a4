// The slots that differ between the table in the datapath and the one just built.
//
// Maglev's point is that a backend change moves few slots (§3.4, §5.3); writing only
// those, in one batch, keeps an update to a 65537-slot table at a few hundred writes
// (Katran does the same when it reprograms a VIP's ring).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace sluice::maglev {

struct SlotChange {
  uint32_t index = 0;
  uint32_t value = 0;
  bool operator==(const SlotChange&) const = default;
};

// Ascending by index. Tables of different sizes share no slot meaning (slot = hash % M),
// so then every slot of `after` is a change; an empty `after` yields no change (the
// caller removes the table instead).
std::vector<SlotChange> DiffTables(std::span<const uint32_t> before,
                                   std::span<const uint32_t> after);

}  // namespace sluice::maglev
