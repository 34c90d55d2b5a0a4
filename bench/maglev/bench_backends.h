// The backend sets B6 measures: keys as the control plane spells them, in the
// benchmarking range, values that are datapath ids (1-based).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "maglev/maglev.h"

namespace sluice::maglev::bench {

inline std::vector<Backend> MakeBackends(uint32_t count, uint32_t first = 0) {
  std::vector<Backend> backends;
  backends.reserve(count);
  for (uint32_t i = first; i < first + count; ++i) {
    backends.push_back({.key = "198.18." + std::to_string(i / 250) + "." +
                               std::to_string(i % 250 + 1) + ":8080/TCP",
                        .value = i + 1,
                        .weight = 1});
  }
  return backends;
}

// `backends` without `k` of them, chosen by a seeded shuffle (the same every run).
inline std::vector<Backend> WithoutRandom(std::vector<Backend> backends, uint32_t k,
                                          uint32_t seed) {
  std::mt19937 rng(seed);
  std::shuffle(backends.begin(), backends.end(), rng);
  backends.resize(backends.size() - k);
  return backends;
}

}  // namespace sluice::maglev::bench
