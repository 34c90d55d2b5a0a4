#include "histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace sluice::loadgen {
namespace {

using H = LatencyHistogram;

TEST(LatencyHistogramTest, SmallValuesHaveABucketEach) {
  for (uint64_t v = 0; v < H::kSubBuckets; ++v) {
    EXPECT_EQ(H::BucketOf(v), v);
    EXPECT_EQ(H::BucketLower(v), v);
    EXPECT_EQ(H::BucketUpper(v), v);
  }
}

TEST(LatencyHistogramTest, BucketsTileTheWholeRangeWithoutGapsOrOverlaps) {
  EXPECT_EQ(H::BucketLower(0), 0u);
  for (size_t b = 1; b < H::kBucketCount; ++b) {
    ASSERT_EQ(H::BucketLower(b), H::BucketUpper(b - 1) + 1) << "bucket " << b;
    ASSERT_EQ(H::BucketOf(H::BucketLower(b)), b);
    ASSERT_EQ(H::BucketOf(H::BucketUpper(b)), b);
  }
  EXPECT_EQ(H::BucketUpper(H::kBucketCount - 1), UINT64_MAX);
  EXPECT_EQ(H::BucketOf(UINT64_MAX), H::kBucketCount - 1);
}

TEST(LatencyHistogramTest, EveryBucketIsNarrowerThanOneIn128OfItsValues) {
  for (size_t b = H::kSubBuckets; b < H::kBucketCount; ++b) {
    const double width = static_cast<double>(H::BucketUpper(b) - H::BucketLower(b) + 1);
    ASSERT_LE(width / static_cast<double>(H::BucketLower(b)), 1.0 / 128) << "bucket " << b;
  }
}

TEST(LatencyHistogramTest, EmptyHistogramReportsZeros) {
  H h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.mean(), 0);
  EXPECT_EQ(h.Percentile(50), 0u);
  EXPECT_TRUE(h.NonEmptyBuckets().empty());
}

TEST(LatencyHistogramTest, OneValueIsEveryPercentile) {
  H h;
  h.Record(123'456);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.min(), 123'456u);
  EXPECT_EQ(h.max(), 123'456u);
  for (double q : {0.0, 1.0, 50.0, 99.9, 100.0}) EXPECT_EQ(h.Percentile(q), 123'456u) << q;
}

TEST(LatencyHistogramTest, PercentilesOfOneToAThousandExactly) {
  H h;
  for (uint64_t v = 1; v <= 1000; ++v) h.Record(v);
  // Below 256 buckets are exact; above, the answer is the bucket's upper end.
  EXPECT_EQ(h.Percentile(10), 100u);
  EXPECT_EQ(h.Percentile(25), 250u);
  EXPECT_EQ(h.Percentile(50), H::BucketUpper(H::BucketOf(500)));
  EXPECT_GE(h.Percentile(50), 500u);
  EXPECT_LE(h.Percentile(50), 503u);
  EXPECT_EQ(h.Percentile(100), 1000u);  // never above the largest value
  EXPECT_DOUBLE_EQ(h.mean(), 500.5);
}

TEST(LatencyHistogramTest, PercentilesMatchASortedSampleWithinBucketPrecision) {
  std::mt19937_64 random(42);
  std::lognormal_distribution<double> latency(std::log(60'000.0), 0.8);  // ns, a long tail
  H h;
  std::vector<uint64_t> values;
  for (int i = 0; i < 200'000; ++i) {
    const auto v = static_cast<uint64_t>(latency(random));
    values.push_back(v);
    h.Record(v);
  }
  std::sort(values.begin(), values.end());
  for (double q : {50.0, 90.0, 99.0, 99.9}) {
    const auto rank = static_cast<size_t>(std::ceil(q / 100 * static_cast<double>(values.size())));
    const uint64_t exact = values[rank - 1];
    const uint64_t got = h.Percentile(q);
    EXPECT_GE(got, exact) << "p" << q;
    EXPECT_LE(static_cast<double>(got - exact), static_cast<double>(exact) / 128) << "p" << q;
  }
  EXPECT_EQ(h.max(), values.back());
  EXPECT_EQ(h.min(), values.front());
}

TEST(LatencyHistogramTest, MergeEqualsRecordingEverythingInOne) {
  H a, b, all;
  for (uint64_t v = 1; v < 100'000; v += 7) {
    (v % 3 ? a : b).Record(v * 13);
    all.Record(v * 13);
  }
  H merged = a;
  merged.Merge(b);
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_EQ(merged.min(), all.min());
  EXPECT_EQ(merged.max(), all.max());
  EXPECT_DOUBLE_EQ(merged.mean(), all.mean());
  EXPECT_EQ(merged.NonEmptyBuckets(), all.NonEmptyBuckets());
  for (double q : {50.0, 99.0, 99.9}) EXPECT_EQ(merged.Percentile(q), all.Percentile(q));
}

TEST(LatencyHistogramTest, MergingAnEmptyHistogramChangesNothing) {
  H a, empty;
  a.Record(5);
  a.Record(5'000'000);
  a.Merge(empty);
  EXPECT_EQ(a.count(), 2u);
  EXPECT_EQ(a.min(), 5u);
  EXPECT_EQ(a.max(), 5'000'000u);
}

TEST(LatencyHistogramTest, HugeValuesDoNotOverflow) {
  H h;
  h.Record(UINT64_MAX);
  h.Record(UINT64_MAX - 1);
  h.Record(1);
  EXPECT_EQ(h.max(), UINT64_MAX);
  EXPECT_EQ(h.Percentile(100), UINT64_MAX);
  EXPECT_EQ(h.Percentile(10), 1u);
  EXPECT_GT(h.mean(), 1e19);
}

TEST(LatencyHistogramTest, NonEmptyBucketsCountEveryValueOnce) {
  H h;
  for (uint64_t v : {3u, 3u, 1000u, 1001u, 1'000'000u}) h.Record(v);
  const auto buckets = h.NonEmptyBuckets();
  uint64_t total = 0;
  for (const auto& [upper, n] : buckets) total += n;
  EXPECT_EQ(total, 5u);
  EXPECT_EQ(buckets.front(), (std::pair<uint64_t, uint64_t>{3, 2}));
  EXPECT_TRUE(std::is_sorted(buckets.begin(), buckets.end()));
}

}  // namespace
}  // namespace sluice::loadgen
