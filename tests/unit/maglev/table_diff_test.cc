#include "maglev/table_diff.h"

#include <gtest/gtest.h>

#include <vector>

#include "backend_sets.h"
#include "maglev/maglev.h"

namespace sluice::maglev {
namespace {

using Table = std::vector<uint32_t>;
using Changes = std::vector<SlotChange>;

TEST(DiffTablesTest, EqualTablesHaveNoChange) {
  const Table t = {1, 2, 3, 1, 2};
  EXPECT_TRUE(DiffTables(t, t).empty());
  EXPECT_TRUE(DiffTables(Table{}, Table{}).empty());
}

TEST(DiffTablesTest, OnlyDifferingSlotsInIndexOrderWithTheNewValue) {
  EXPECT_EQ(DiffTables(Table{1, 2, 3, 1, 2}, Table{1, 3, 3, 1, 3}), (Changes{{1, 3}, {4, 3}}));
}

TEST(DiffTablesTest, ASizeChangeRewritesEverySlot) {
  EXPECT_EQ(DiffTables(Table{}, Table{5, 6}), (Changes{{0, 5}, {1, 6}}));
  EXPECT_EQ(DiffTables(Table{5, 6, 7}, Table{5, 6}), (Changes{{0, 5}, {1, 6}}));
}

TEST(DiffTablesTest, AnEmptyAfterIsNoWriteTheCallerDropsTheTable) {
  EXPECT_TRUE(DiffTables(Table{1, 2}, Table{}).empty());
}

TEST(DiffTablesTest, ApplyingTheChangesToBeforeGivesAfter) {
  const std::vector<Backend> all = testing::MakeBackends(100);
  const std::vector<Backend> fewer(all.begin() + 1, all.end());
  const Table before = BuildTable(all, 16381);
  const Table after = BuildTable(fewer, 16381);
  Table patched = before;
  const Changes changes = DiffTables(before, after);
  for (const SlotChange& change : changes) patched[change.index] = change.value;
  EXPECT_EQ(patched, after);
  // One backend of 100 went: a few hundred slots are written, not 16381 (1% had to
  // move; at 164 slots a backend the paper's fill moves about 2.3 times that).
  EXPECT_LT(changes.size(), 16381u * 3 / 100);
  EXPECT_GE(changes.size(), 16381u / 100);
}

}  // namespace
}  // namespace sluice::maglev
