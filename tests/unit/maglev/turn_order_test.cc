#include "maglev/turn_order.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>
#include <vector>

namespace sluice::maglev {
namespace {

TEST(RoundRobinTurnsTest, GivesEveryBackendOneTurnPerRound) {
  RoundRobinTurns turns(3);
  std::vector<uint32_t> order;
  for (int i = 0; i < 7; ++i) order.push_back(turns.Next());
  EXPECT_EQ(order, (std::vector<uint32_t>{0, 1, 2, 0, 1, 2, 0}));
}

TEST(WeightedTurnsTest, EqualWeightsAreThePapersRoundRobinTurnForTurn) {
  for (const uint32_t weight : {1u, 7u, 1000000u}) {
    for (const uint32_t n : {1u, 2u, 3u, 10u, 100u}) {
      for (const uint32_t m : {251u, 4093u}) {
        WeightedTurns weighted(std::vector<uint32_t>(n, weight), m);
        RoundRobinTurns plain(n);
        for (uint32_t t = 0; t < m; ++t) {
          ASSERT_EQ(weighted.Next(), plain.Next())
              << "turn " << t << ", N=" << n << ", M=" << m << ", weight " << weight;
        }
      }
    }
  }
}

TEST(WeightedTurnsTest, TurnsFollowTheWeightsFromTheStart) {
  // Weights 3:1. Due times (2k+1)/(2w): backend 0 at 1/6, 3/6, 5/6, 7/6 ...,
  // backend 1 at 1/2, 3/2 ...; ties go to the earlier backend.
  WeightedTurns turns(std::vector<uint32_t>{3, 1}, 8);
  std::vector<uint32_t> order;
  for (int i = 0; i < 8; ++i) order.push_back(turns.Next());
  EXPECT_EQ(order, (std::vector<uint32_t>{0, 0, 1, 0, 0, 0, 1, 0}));
}

TEST(WeightedTurnsTest, EachBackendGetsExactlyItsQuota) {
  const std::vector<uint32_t> weights = {5, 1, 0, 3, 3, 100};
  WeightedTurns turns(weights, 509);
  std::vector<uint32_t> got(weights.size(), 0);
  for (int i = 0; i < 509; ++i) ++got[turns.Next()];
  EXPECT_EQ(got, std::vector<uint32_t>(turns.quotas().begin(), turns.quotas().end()));
  EXPECT_EQ(got[2], 0u);
}

// The order as its definition reads: repeatedly the earliest due turn (2k+1)/(2w),
// ties to the earlier backend, until each backend has had its quota.
std::vector<uint32_t> ReferenceOrder(const std::vector<uint32_t>& weights, uint32_t slots) {
  const std::vector<uint32_t> quotas = ApportionSlots(weights, slots);
  std::vector<uint32_t> taken(weights.size(), 0), order;
  for (uint32_t t = 0; t < slots; ++t) {
    int best = -1;
    for (size_t i = 0; i < weights.size(); ++i) {
      if (taken[i] == quotas[i]) continue;
      // due_i < due_best ⇔ (2·taken_i+1)·w_best < (2·taken_best+1)·w_i
      if (best < 0 || (2 * uint64_t{taken[i]} + 1) * weights[best] <
                          (2 * uint64_t{taken[best]} + 1) * weights[i]) {
        best = static_cast<int>(i);
      }
    }
    order.push_back(best);
    ++taken[best];
  }
  return order;
}

TEST(WeightedTurnsTest, IsTheEarliestDueTurnEachTime) {
  std::mt19937 rng(11);
  for (const uint32_t n : {2u, 3u, 17u, 120u}) {
    for (const uint32_t max_weight : {2u, 10u, 1000u, 4000000000u}) {
      std::uniform_int_distribution<uint32_t> weight(1, max_weight);
      std::vector<uint32_t> weights(n);
      for (uint32_t& w : weights) w = weight(rng);
      weights[0] = max_weight;  // and a few equal ones
      weights[1] = max_weight;
      for (const uint32_t slots : {251u, 4093u}) {
        WeightedTurns turns(weights, slots);
        std::vector<uint32_t> order;
        for (uint32_t t = 0; t < slots; ++t) order.push_back(turns.Next());
        ASSERT_EQ(order, ReferenceOrder(weights, slots))
            << "N=" << n << " weights up to " << max_weight << ", " << slots << " slots";
      }
    }
  }
}

TEST(WeightedTurnsTest, FewLightBackendsWithManyTurnsEach) {
  // Each of these gives a backend more turns than the bucket sort's buckets times its
  // weight, the case where it falls back to one bucket per due time unit.
  for (const auto& weights : std::vector<std::vector<uint32_t>>{{1, 2}, {1, 1, 2}, {2, 3}}) {
    WeightedTurns turns(weights, 4093);
    std::vector<uint32_t> order;
    for (uint32_t t = 0; t < 4093; ++t) order.push_back(turns.Next());
    EXPECT_EQ(order, ReferenceOrder(weights, 4093)) << weights.size() << " backends";
  }
}

TEST(ApportionSlotsTest, SharesAreWithinOneSlotOfProportionalAndSumToTheTable) {
  const std::vector<std::vector<uint32_t>> cases = {{1},
                                                    {1, 1, 1},
                                                    {1, 2, 3},
                                                    {1, 1000},
                                                    {0, 4, 0, 4},
                                                    {7, 11, 13, 17, 19, 23},
                                                    {4294967295u, 1},
                                                    {4294967295u, 4294967295u, 3}};
  for (const auto& weights : cases) {
    for (const uint32_t slots : {251u, 65537u, 131071u}) {
      const std::vector<uint32_t> shares = ApportionSlots(weights, slots);
      const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
      EXPECT_EQ(std::accumulate(shares.begin(), shares.end(), uint64_t{0}), slots);
      for (size_t i = 0; i < weights.size(); ++i) {
        const double exact = slots * (weights[i] / total);
        EXPECT_LT(std::abs(shares[i] - exact), 1.0)
            << "backend " << i << " of " << weights.size() << ", " << slots << " slots";
      }
    }
  }
}

TEST(ApportionSlotsTest, LeftoverSlotsGoToTheLargestRemaindersThenToTheEarlierBackend) {
  // 10 slots over 1:1:1: 3 each, one left, remainders equal → backend 0.
  EXPECT_EQ(ApportionSlots(std::vector<uint32_t>{1, 1, 1}, 10), (std::vector<uint32_t>{4, 3, 3}));
  // 10 slots over 1:2:4: exact 1.43, 2.86, 5.71 → 1, 2, 5 with remainders .43 .86 .71
  // → the two leftovers go to backends 1 and 2.
  EXPECT_EQ(ApportionSlots(std::vector<uint32_t>{1, 2, 4}, 10), (std::vector<uint32_t>{1, 3, 6}));
}

TEST(ApportionSlotsTest, NoPositiveWeightGetsNothing) {
  EXPECT_EQ(ApportionSlots(std::vector<uint32_t>{0, 0}, 251), (std::vector<uint32_t>{0, 0}));
  EXPECT_TRUE(ApportionSlots(std::vector<uint32_t>{}, 251).empty());
}

}  // namespace
}  // namespace sluice::maglev
