// Backend sets for the Maglev tests: keys as the control plane spells them, in the
// benchmarking range, values that are the datapath's ids (1-based, as 0 is no backend).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "maglev/maglev.h"

namespace sluice::maglev::testing {

inline std::string BackendKey(uint32_t i) {
  return "198.18." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1) + ":8080/TCP";
}

// Backends number first .. first+count-1, weight 1.
inline std::vector<Backend> MakeBackends(uint32_t count, uint32_t first = 0) {
  std::vector<Backend> backends;
  for (uint32_t i = first; i < first + count; ++i) {
    backends.push_back({.key = BackendKey(i), .value = i + 1, .weight = 1});
  }
  return backends;
}

// Slots whose value differs (both tables of one size).
inline uint32_t MovedSlots(const std::vector<uint32_t>& before,
                           const std::vector<uint32_t>& after) {
  uint32_t moved = 0;
  for (size_t i = 0; i < before.size(); ++i) moved += before[i] != after[i];
  return moved;
}

}  // namespace sluice::maglev::testing
