#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <stdexcept>
#include <vector>

#include "backend_sets.h"
#include "maglev/maglev.h"
#include "maglev/table_stats.h"

namespace sluice::maglev {
namespace {

using testing::MakeBackends;

// Slots each backend of `backends` holds in `table`, 0 for those with none.
std::vector<uint32_t> SlotsPerBackend(const std::vector<Backend>& backends,
                                      const std::vector<uint32_t>& table) {
  const auto counts = CountSlots(table);
  std::vector<uint32_t> slots;
  for (const Backend& backend : backends) {
    const auto it = counts.find(backend.value);
    slots.push_back(it == counts.end() ? 0 : it->second);
  }
  return slots;
}

TEST(BuildTableTest, EqualWeightsDifferByAtMostOneSlot) {
  for (const uint32_t n : {1u, 2u, 3u, 10u, 100u, 1000u}) {
    for (const uint32_t m : {251u, 1021u, 4093u, 16381u, 65537u}) {
      const std::vector<Backend> backends = MakeBackends(n);
      const std::vector<uint32_t> table = BuildTable(backends, m);
      ASSERT_EQ(table.size(), m);
      const std::vector<uint32_t> slots = SlotsPerBackend(backends, table);
      EXPECT_EQ(std::accumulate(slots.begin(), slots.end(), 0u), m)
          << "a slot holds a value no backend has, N=" << n << " M=" << m;
      const auto [min, max] = std::minmax_element(slots.begin(), slots.end());
      EXPECT_LE(*max - *min, 1u) << "N=" << n << " M=" << m;
      EXPECT_EQ(*min, m / n) << "N=" << n << " M=" << m;
    }
  }
}

TEST(BuildTableTest, InputOrderDoesNotMatter) {
  for (const uint32_t n : {3u, 10u, 100u}) {
    std::vector<Backend> backends = MakeBackends(n);
    const std::vector<uint32_t> sorted = BuildTable(backends, 4093);
    std::reverse(backends.begin(), backends.end());
    EXPECT_EQ(BuildTable(backends, 4093), sorted) << "reversed, N=" << n;
    std::mt19937 rng(n);  // fixed seed: the same shuffles every run
    for (int i = 0; i < 5; ++i) {
      std::shuffle(backends.begin(), backends.end(), rng);
      EXPECT_EQ(BuildTable(backends, 4093), sorted) << "shuffle " << i << ", N=" << n;
    }
  }
}

TEST(BuildTableTest, TheTableIsPinnedAcrossVersions) {
  // Every node and every agent version must build exactly this table from this set
  // (a rolling upgrade mixes versions). A change here is a flag day, not a refactor.
  const std::vector<uint32_t> table = BuildTable(MakeBackends(3), 251);
  const std::vector<uint32_t> head(table.begin(), table.begin() + 24);
  EXPECT_EQ(head, (std::vector<uint32_t>{3, 2, 2, 3, 2, 3, 2, 1, 3, 1, 3, 1,  //
                                         3, 3, 1, 2, 1, 2, 3, 2, 2, 2, 3, 3}));
}

TEST(BuildTableTest, SlotsHoldTheCallersValuesWhateverTheyAre) {
  const std::vector<Backend> backends = {{"a", 0, 1}, {"b", 0xffffffffu, 1}};
  const auto counts = CountSlots(BuildTable(backends, 251));
  EXPECT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts.at(0) + counts.at(0xffffffffu), 251u);
}

TEST(BuildTableTest, NoBackendsOrAllWeightsZeroGiveAnEmptyTable) {
  EXPECT_TRUE(BuildTable({}, 251).empty());
  std::vector<Backend> backends = MakeBackends(5);
  for (Backend& backend : backends) backend.weight = 0;
  EXPECT_TRUE(BuildTable(backends, 65537).empty());
}

TEST(BuildTableTest, AZeroWeightBackendIsAsIfAbsent) {
  std::vector<Backend> backends = MakeBackends(10);
  const std::vector<Backend> without(backends.begin() + 1, backends.end());
  backends[0].weight = 0;
  EXPECT_EQ(BuildTable(backends, 1021), BuildTable(without, 1021));
}

TEST(BuildTableTest, EqualWeightsOtherThanOneBuildThePapersTable) {
  std::vector<Backend> backends = MakeBackends(10);
  const std::vector<uint32_t> unweighted = BuildTable(backends, 1021);
  for (Backend& backend : backends) backend.weight = 42;
  EXPECT_EQ(BuildTable(backends, 1021), unweighted);
}

TEST(BuildTableTest, WeightsGiveProportionalSlotsWithinOne) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<uint32_t> weight(1, 100);
  for (const uint32_t n : {2u, 5u, 50u, 500u}) {
    std::vector<Backend> backends = MakeBackends(n);
    for (Backend& backend : backends) backend.weight = weight(rng);
    const double total =
        std::accumulate(backends.begin(), backends.end(), 0.0,
                        [](double sum, const Backend& b) { return sum + b.weight; });
    for (const uint32_t m : {4093u, 65537u}) {
      const std::vector<uint32_t> slots = SlotsPerBackend(backends, BuildTable(backends, m));
      for (size_t i = 0; i < backends.size(); ++i) {
        const double exact = m * backends[i].weight / total;
        EXPECT_LT(std::abs(slots[i] - exact), 1.0)
            << "weight " << backends[i].weight << " of " << total << ", N=" << n << " M=" << m;
      }
    }
  }
}

TEST(BuildTableTest, AHeavierBackendIsSpreadOverTheTableNotBunched) {
  // Weights 1:3: the heavy backend's 3/4 of the slots are spread evenly, so every
  // tenth of the table gives it about 3/4 of the flows.
  const std::vector<Backend> backends = {{"198.18.0.1:80/TCP", 1, 1}, {"198.18.0.2:80/TCP", 2, 3}};
  const std::vector<uint32_t> table = BuildTable(backends, 65537);
  for (uint32_t band = 0; band < 10; ++band) {
    const auto first = table.begin() + band * 6553;
    const auto heavy = std::count(first, first + 6553, 2u);
    EXPECT_NEAR(heavy / 6553.0, 0.75, 0.03) << "band " << band;
  }
}

TEST(BuildTableTest, MoreBackendsThanSlotsGiveOneSlotEachToSome) {
  const std::vector<uint32_t> table = BuildTable(MakeBackends(1000), 251);
  EXPECT_EQ(CountSlots(table).size(), 251u);
}

TEST(BuildTableTest, RefusesATableSizeThatIsNotPrime) {
  const std::vector<Backend> backends = MakeBackends(3);
  for (const uint32_t m : {0u, 1u, 4u, 250u, 65536u}) {
    EXPECT_THROW(BuildTable(backends, m), std::invalid_argument) << m;
  }
  EXPECT_THROW(BuildTable(backends, 16777259), std::invalid_argument);  // prime, too big
  EXPECT_NO_THROW(BuildTable(backends, 2));
  EXPECT_NO_THROW(BuildTable(backends, 131071));
}

TEST(BuildTableTest, RefusesTwoBackendsWithOneKey) {
  const std::vector<Backend> backends = {
      {"198.18.0.1:80/TCP", 1, 1}, {"198.18.0.2:80/TCP", 2, 1}, {"198.18.0.1:80/TCP", 3, 0}};
  EXPECT_THROW(BuildTable(backends, 251), std::invalid_argument);
}

}  // namespace
}  // namespace sluice::maglev
