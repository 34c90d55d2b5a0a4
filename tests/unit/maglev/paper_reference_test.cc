// BuildTable against the paper's Pseudocode 1 (§3.4) written out as literally as it
// reads: permutation[i][j] = (offset + j·skip) mod M, next[i], entry[] = -1 for empty.
// BuildTable takes shortcuts (add-and-wrap steps, a bitmap, looking at the few free
// slots instead of walking late in the fill); the tables must come out identical.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "backend_sets.h"
#include "maglev/maglev.h"
#include "maglev/permutation.h"
#include "maglev/turn_order.h"

namespace sluice::maglev {
namespace {

// Backends sorted by key. `turn(t)` names the backend of the t-th turn; the paper's
// is round robin.
template <typename TurnOrder>
std::vector<uint32_t> LiteralTable(const std::vector<Backend>& backends, uint32_t m,
                                   TurnOrder turn) {
  const size_t n = backends.size();
  std::vector<uint64_t> offset(n), skip(n);
  for (size_t i = 0; i < n; ++i) {
    const Permutation p = MakePermutation(backends[i].key, m);
    offset[i] = p.offset;
    skip[i] = p.skip;
  }
  const auto permutation = [&](size_t i, uint64_t j) { return (offset[i] + j * skip[i]) % m; };
  std::vector<uint64_t> next(n, 0);
  std::vector<int64_t> entry(m, -1);
  for (uint32_t filled = 0; filled < m; ++filled) {
    const size_t i = turn(filled);
    uint64_t c = permutation(i, next[i]);
    while (entry[c] >= 0) {
      next[i] = next[i] + 1;
      c = permutation(i, next[i]);
    }
    entry[c] = static_cast<int64_t>(i);
    next[i] = next[i] + 1;
  }
  std::vector<uint32_t> table(m);
  for (uint32_t s = 0; s < m; ++s) table[s] = backends[entry[s]].value;
  return table;
}

std::vector<Backend> SortedByKey(std::vector<Backend> backends) {
  std::sort(backends.begin(), backends.end(),
            [](const Backend& a, const Backend& b) { return a.key < b.key; });
  return backends;
}

std::vector<uint32_t> PaperTable(std::vector<Backend> backends, uint32_t m) {
  std::sort(backends.begin(), backends.end(),
            [](const Backend& a, const Backend& b) { return a.key < b.key; });
  const size_t n = backends.size();
  std::vector<uint64_t> offset(n), skip(n);
  for (size_t i = 0; i < n; ++i) {
    const Permutation p = MakePermutation(backends[i].key, m);
    offset[i] = p.offset;
    skip[i] = p.skip;
  }
  const auto permutation = [&](size_t i, uint64_t j) { return (offset[i] + j * skip[i]) % m; };
  std::vector<uint64_t> next(n, 0);
  std::vector<int64_t> entry(m, -1);
  uint32_t filled = 0;
  while (true) {
    for (size_t i = 0; i < n; ++i) {
      uint64_t c = permutation(i, next[i]);
      while (entry[c] >= 0) {
        next[i] = next[i] + 1;
        c = permutation(i, next[i]);
      }
      entry[c] = static_cast<int64_t>(i);
      next[i] = next[i] + 1;
      filled = filled + 1;
      if (filled == m) {
        std::vector<uint32_t> table(m);
        for (uint32_t s = 0; s < m; ++s) table[s] = backends[entry[s]].value;
        return table;
      }
    }
  }
}

TEST(PaperReferenceTest, WeightedBuildWalksAsLiterallyInTheWeightedOrder) {
  std::mt19937 rng(3);
  std::uniform_int_distribution<uint32_t> weight(1, 9);
  for (const uint32_t m : {7u, 251u, 4093u, 65537u}) {
    for (const uint32_t n : {2u, 10u, 300u}) {
      std::vector<Backend> backends = SortedByKey(testing::MakeBackends(n));
      std::vector<uint32_t> weights;
      for (Backend& backend : backends) weights.push_back(backend.weight = weight(rng));
      WeightedTurns turns(weights, m);
      const auto literal = LiteralTable(backends, m, [&](uint32_t) { return turns.Next(); });
      ASSERT_EQ(BuildTable(backends, m), literal) << "N=" << n << " M=" << m;
    }
  }
}

TEST(PaperReferenceTest, BuildTableFillsExactlyAsPseudocode1) {
  for (const uint32_t m : {2u, 3u, 7u, 127u, 251u, 1021u, 16381u, 65537u}) {
    for (const uint32_t n : {1u, 2u, 3u, 10u, 99u, 1000u}) {
      const std::vector<Backend> backends = testing::MakeBackends(n, /*first=*/m % 17);
      ASSERT_EQ(BuildTable(backends, m), PaperTable(backends, m)) << "N=" << n << " M=" << m;
    }
  }
}

}  // namespace
}  // namespace sluice::maglev
