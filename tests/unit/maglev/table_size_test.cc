#include "maglev/table_size.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

namespace sluice::maglev {
namespace {

TEST(TableSizeTest, EveryListedSizeIsPrimeAndTheListAscends) {
  for (const uint32_t size : kTableSizes) EXPECT_TRUE(IsPrime(size)) << size;
  EXPECT_TRUE(std::is_sorted(kTableSizes.begin(), kTableSizes.end()));
  EXPECT_NE(std::find(kTableSizes.begin(), kTableSizes.end(), kDefaultMaxTableSize),
            kTableSizes.end());
}

TEST(TableSizeTest, IsPrime) {
  EXPECT_FALSE(IsPrime(0));
  EXPECT_FALSE(IsPrime(1));
  EXPECT_TRUE(IsPrime(2));
  EXPECT_TRUE(IsPrime(3));
  EXPECT_FALSE(IsPrime(65536));
  EXPECT_FALSE(IsPrime(65535));
  EXPECT_FALSE(IsPrime(16383));  // 3 × 43 × 127
  EXPECT_FALSE(IsPrime(4294967295u));
  EXPECT_TRUE(IsPrime(4294967291u));  // the largest 32-bit prime
}

TEST(ChooseTableSizeTest, GivesAboutAHundredSlotsPerBackend) {
  EXPECT_EQ(ChooseTableSize(0, kDefaultMaxTableSize), 251u);
  EXPECT_EQ(ChooseTableSize(1, kDefaultMaxTableSize), 251u);
  EXPECT_EQ(ChooseTableSize(2, kDefaultMaxTableSize), 251u);
  EXPECT_EQ(ChooseTableSize(3, kDefaultMaxTableSize), 509u);  // not 65537 as Cilium's
  EXPECT_EQ(ChooseTableSize(5, kDefaultMaxTableSize), 509u);
  EXPECT_EQ(ChooseTableSize(6, kDefaultMaxTableSize), 1021u);
  EXPECT_EQ(ChooseTableSize(10, kDefaultMaxTableSize), 1021u);
  EXPECT_EQ(ChooseTableSize(11, kDefaultMaxTableSize), 2039u);
  EXPECT_EQ(ChooseTableSize(100, kDefaultMaxTableSize), 16381u);
  EXPECT_EQ(ChooseTableSize(163, kDefaultMaxTableSize), 16381u);
  EXPECT_EQ(ChooseTableSize(655, 131071), 65521u);
  EXPECT_EQ(ChooseTableSize(656, 131071), 131071u);
}

TEST(ChooseTableSizeTest, NeverExceedsTheFlag) {
  EXPECT_EQ(ChooseTableSize(164, kDefaultMaxTableSize), 16381u);
  EXPECT_EQ(ChooseTableSize(1000, kDefaultMaxTableSize), 16381u);
  EXPECT_EQ(ChooseTableSize(100000, 65537), 65537u);
  EXPECT_EQ(ChooseTableSize(1000000, 4294967295u), 131071u);
  EXPECT_EQ(ChooseTableSize(1000, 251), 251u);
}

TEST(ChooseTableSizeTest, AFlagOffTheListIsRoundedDownToAListedSize) {
  EXPECT_EQ(LargestTableSizeAtMost(65536), 65521u);
  EXPECT_EQ(LargestTableSizeAtMost(20000), 16381u);
  EXPECT_EQ(LargestTableSizeAtMost(251), 251u);
  EXPECT_EQ(ChooseTableSize(1000, 20000), 16381u);
}

TEST(ChooseTableSizeTest, AFlagBelowTheSmallestSizeIsRefusedWithTheReason) {
  EXPECT_THROW(ChooseTableSize(1, 250), std::invalid_argument);
  EXPECT_THROW(LargestTableSizeAtMost(0), std::invalid_argument);
  try {
    LargestTableSizeAtMost(100);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "--maglev-table-size 100 is below the smallest Maglev table size 251");
  }
}

}  // namespace
}  // namespace sluice::maglev
