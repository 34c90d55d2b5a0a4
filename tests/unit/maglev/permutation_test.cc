#include "maglev/permutation.h"

#include <gtest/gtest.h>

#include <vector>

#include "backend_sets.h"
#include "maglev/key_hash.h"

namespace sluice::maglev {
namespace {

using testing::BackendKey;

TEST(PermutationTest, OffsetAndSkipAreThePapersFormulas) {
  const std::string key = BackendKey(7);
  const Permutation p = MakePermutation(key, 65537);
  EXPECT_EQ(p.offset, KeyHash(key, kOffsetSeed) % 65537);
  EXPECT_EQ(p.skip, KeyHash(key, kSkipSeed) % 65536 + 1);
}

TEST(PermutationTest, SkipIsNeverZeroNorAFullTurn) {
  for (const uint32_t m : {2u, 3u, 251u, 65537u}) {
    for (uint32_t i = 0; i < 2000; ++i) {
      const Permutation p = MakePermutation(BackendKey(i), m);
      ASSERT_LT(p.offset, m);
      ASSERT_GE(p.skip, 1u);
      ASSERT_LT(p.skip, m);
    }
  }
}

TEST(PermutationTest, WalkingWithNextSlotVisitsEverySlotOnceWhenTheSizeIsPrime) {
  for (const uint32_t m : {251u, 509u, 4093u}) {
    for (uint32_t i = 0; i < 20; ++i) {
      const Permutation p = MakePermutation(BackendKey(i), m);
      std::vector<bool> seen(m, false);
      uint32_t slot = p.offset;
      for (uint32_t j = 0; j < m; ++j) {
        ASSERT_EQ(slot, (p.offset + uint64_t{j} * p.skip) % m) << "step " << j;
        ASSERT_FALSE(seen[slot]) << "slot " << slot << " visited twice, M=" << m;
        seen[slot] = true;
        slot = NextSlot(slot, p.skip, m);
      }
      EXPECT_EQ(slot, p.offset);  // back at the start after exactly M steps
    }
  }
}

TEST(PermutationTest, InverseSkipAndStepsBetweenUndoAWalk) {
  for (const uint32_t m : {2u, 3u, 251u, 65537u, 131071u, 16777213u}) {
    for (uint32_t i = 0; i < 200; ++i) {
      const Permutation p = MakePermutation(BackendKey(i), m);
      const uint32_t inverse = InverseSkip(p.skip, m);
      ASSERT_EQ(uint64_t{p.skip} * inverse % m, 1u) << "skip " << p.skip << " M=" << m;
      const uint32_t j = (i * 7919u) % m;  // some number of steps
      const uint32_t to = static_cast<uint32_t>((p.offset + uint64_t{j} * p.skip) % m);
      ASSERT_EQ(StepsBetween(p.offset, to, inverse, m), j) << "M=" << m;
    }
  }
}

TEST(PermutationTest, OffsetsSpreadOverTheTable) {
  // 1000 backends over 10 equal bands of a 65537-slot table: ~100 each.
  std::vector<int> bands(10, 0);
  for (uint32_t i = 0; i < 1000; ++i) {
    ++bands[MakePermutation(BackendKey(i), 65537).offset * 10 / 65537];
  }
  for (const int band : bands) {
    EXPECT_GT(band, 60);
    EXPECT_LT(band, 140);
  }
}

}  // namespace
}  // namespace sluice::maglev
