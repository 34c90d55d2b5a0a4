// What a built table looks like from the backends' side: how many slots each holds.
// For tests, the benchmark and sluicectl's table view.
#pragma once

#include <cstdint>
#include <map>
#include <span>

namespace sluice::maglev {

// value → number of slots holding it. Backends with no slot are absent.
std::map<uint32_t, uint32_t> CountSlots(std::span<const uint32_t> table);

}  // namespace sluice::maglev
